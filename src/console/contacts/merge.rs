//! `/console/contacts/{id}/merge`: makes two contacts one. The page first asks for the
//! other contact (by its e-mail address, or `?other=ID` from the rectification form), then
//! shows both side by side and what the result will hold; the POST merges: the other's
//! conversations move to this one, its fields fill this one's empty ones, it is deleted,
//! index entries are re-derived, and both contacts get a `contact_merged` entry, all in one
//! transaction. Both must be within the actor's reach (contacts edit); a contact outside it
//! is answered like a missing one.

use super::show::needed_now;
use super::{EDIT, Stop, decide, entry, link_request, request_id};
use crate::access::{self, Object};
use crate::audit::{self, Action, Field};
use crate::console::csrf;
use crate::console::page::Chrome;
use crate::console::reason_form::{self, ReasonForm, Step, What};
use crate::console::session::Authenticated;
use crate::db::contact_edit::{self, Record};
use crate::db::contacts::ContactId;
use crate::db::conversations::ConversationId;
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/contacts/{id}/merge", Rule::Staff(EDIT), confirm);
    r.post(
        "/console/contacts/{id}/merge/open",
        Rule::Staff(EDIT),
        confirm,
    );
    r.post("/console/contacts/{id}/merge", Rule::Staff(EDIT), merge);
}

/// Both contacts for the confirmation, with how many conversations each has.
pub struct Pair {
    pub keep: Record,
    pub keep_conversations: usize,
    pub gone: Record,
    pub gone_conversations: usize,
}

impl Pair {
    /// Both sides in the order shown: heading key, contact, conversations.
    pub fn sides(&self) -> [(&'static str, &Record, usize); 2] {
        [
            ("contact.merge.keep", &self.keep, self.keep_conversations),
            ("contact.merge.gone", &self.gone, self.gone_conversations),
        ]
    }
}

#[derive(Template)]
#[template(path = "console/contact_merge.html")]
struct MergePage {
    page: Chrome,
    id: i64,
    /// `None`: ask for the other contact.
    pair: Option<Pair>,
    typed: String,
    not_found: bool,
    request: Option<String>,
}

impl MergePage {
    fn request_value(&self) -> Option<&str> {
        self.request.as_deref()
    }
}

#[derive(Clone, Deserialize)]
struct ConfirmQuery {
    other: Option<String>,
    email: Option<String>,
    request: Option<String>,
}

enum Found {
    Pair(Box<Pair>),
    NotFound,
}

/// The other contact the query names, if it exists, differs and is within reach.
fn other_of(
    conn: &mut DbConn,
    st: &AppState,
    actor: &access::Actor,
    id: ContactId,
    query: &ConfirmQuery,
) -> DbResult<Option<ContactId>> {
    let other = match (query.other.as_deref(), query.email.as_deref()) {
        (Some(o), _) => o.trim().parse::<i64>().ok().map(ContactId),
        (None, Some(e)) if !e.trim().is_empty() => contact_edit::by_email(conn, &st.ring, e)?,
        _ => None,
    };
    match other {
        Some(o) if o != id && decide(conn, actor, EDIT, o)?.is_ok() => Ok(Some(o)),
        _ => Ok(None),
    }
}

/// Whether showing both contacts needs a reason first: the role demands one for either.
async fn needed(
    state: &AppState,
    actor: &access::Actor,
    id: ContactId,
    query: ConfirmQuery,
) -> Result<bool, AppError> {
    let actor = actor.clone();
    Ok(state
        .blocking(move |conn, st| needed_for_pair(conn, st, &actor, id, &query))
        .await?)
}

fn needed_for_pair(
    conn: &mut DbConn,
    st: &AppState,
    actor: &access::Actor,
    id: ContactId,
    query: &ConfirmQuery,
) -> DbResult<bool> {
    let asked = query.other.is_some() || query.email.as_deref().is_some_and(|e| !e.is_empty());
    if !asked || decide(conn, actor, EDIT, id)?.is_err() {
        return Ok(false);
    }
    if needed_now(conn, actor, id)? {
        return Ok(true);
    }
    match other_of(conn, st, actor, id, query)? {
        Some(other) => needed_now(conn, actor, other),
        None => Ok(false),
    }
}

/// The plain GET, and the POST of the reason form (its address, or `<path>/open` before a
/// change; a body that is no form counts as the plain GET: it reads nothing more): the
/// form where a reason is needed and none qualifying came, else the page.
async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<ConfirmQuery>,
    sent: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    let id = ContactId(path.into_inner());
    let query = query.into_inner();
    let ask = needed(&state, &session.actor, id, query.clone());
    match reason_form::step(
        &req,
        &session,
        What::ContactChange,
        sent.map(web::Form::into_inner),
        ask,
    )
    .await?
    {
        Step::Ask(form) => Ok(form),
        Step::Open(reason) => shown(req, state, session, id, query, reason).await,
    }
}

/// Both contacts side by side: two audited reads (with the reason, where one was typed).
async fn shown(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: ContactId,
    query: ConfirmQuery,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let asked = query.other.is_some() || query.email.as_deref().is_some_and(|e| !e.is_empty());
    let typed = query.email.clone().unwrap_or_default();
    let request = query.request.clone();
    let actor = session.actor.clone();
    let found = state
        .blocking(move |conn, st| {
            if let Err(refused) = decide(conn, &actor, EDIT, id)? {
                return Ok(Err(refused));
            }
            if !asked {
                return Ok(Ok(None));
            }
            let Some(other) = other_of(conn, st, &actor, id, &query)? else {
                return Ok(Ok(Some(Found::NotFound)));
            };
            // Asked before the form was shown; asked again here, where it binds.
            if reason.is_none() && needed_for_pair(conn, st, &actor, id, &query)? {
                return Ok(Err(reason_form::missing()));
            }
            let now = st.clock.naive();
            let viewed = |contact| {
                let mut e = entry(now, &actor, Action::ContactViewed, contact);
                e.reason.clone_from(&reason);
                e
            };
            // Both contacts are shown: both reads are recorded before anything is decrypted.
            let pair = audit::before(conn, &st.ring, &viewed(id), |conn| {
                audit::record(conn, &st.ring, &viewed(other))?;
                let (Some(keep), Some(gone)) = (
                    contact_edit::load(conn, &st.ring, id)?,
                    contact_edit::load(conn, &st.ring, other)?,
                ) else {
                    return Err(crate::db::DbError::Conflict("a contact went away"));
                };
                let count = |conn: &mut DbConn, c| {
                    crate::db::erasure::staff::conversations_of(conn, c).map(|v| v.len())
                };
                Ok(Pair {
                    keep_conversations: count(conn, id)?,
                    gone_conversations: count(conn, other)?,
                    keep,
                    gone,
                })
            })?;
            Ok(Ok(Some(Found::Pair(Box::new(pair)))))
        })
        .await??;
    let (pair, not_found) = match found {
        None => (None, false),
        Some(Found::NotFound) => (None, true),
        Some(Found::Pair(p)) => (Some(*p), false),
    };
    let view = MergePage {
        page: Chrome::new(&req, Some(&session))?,
        id: id.0,
        pair,
        typed,
        not_found,
        request,
    };
    let status = if not_found {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct MergeForm {
    csrf: Option<String>,
    other: Option<String>,
    request: Option<String>,
}

async fn merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<MergeForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let keep = ContactId(path.into_inner());
    let request = request_id(form.request.as_deref())?;
    let gone = form
        .other
        .as_deref()
        .and_then(|o| o.trim().parse::<i64>().ok())
        .map(ContactId)
        .filter(|g| *g != keep)
        .ok_or_else(|| AppError::BadRequest("name the other contact to merge".into()))?;
    let actor = session.actor.clone();
    let moved = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            Ok(crate::db::write_transaction(
                conn,
                |conn| -> Result<Vec<ConversationId>, Stop> {
                    decide(conn, &actor, EDIT, keep)??;
                    decide(conn, &actor, EDIT, gone)??;
                    let moved = crate::db::erasure::staff::conversations_of(conn, gone)?;
                    let merged = contact_edit::merge(conn, &st.ring, keep, gone, now)?
                        .ok_or(AppError::NotFound)?;
                    let mut fields = Vec::new();
                    for (filled, field) in [
                        (merged.name, Field::Name),
                        (merged.phone, Field::Phone),
                        (merged.customer_id, Field::CustomerId),
                        (merged.moved > 0, Field::Conversations),
                    ] {
                        if filled {
                            fields.push(field);
                        }
                    }
                    let kept = entry(now, &actor, Action::ContactMerged, keep).fields(&fields);
                    audit::record(conn, &st.ring, &kept)?;
                    let went = entry(now, &actor, Action::ContactMerged, gone);
                    audit::record(conn, &st.ring, &went)?;
                    link_request(conn, request, "merged", "contact", keep.0, now)?;
                    Ok(moved)
                },
            ))
        })
        .await?
        .map_err(AppError::from)?;
    // Open consoles show the new contact; the journal file takes the merge's row.
    for conversation in moved {
        state
            .hub
            .bus
            .publish(crate::chat::Event::ConversationChanged { conversation });
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/console/contacts/{}?done=merged", keep.0),
        ))
        .finish())
}
