//! `/console/contacts/{id}`: everything stored about a contact (its fields, when it was
//! made and changed) and its conversations with their consents, linked to the transcripts
//! the actor may read; conversations outside the actor's scope are only counted. An audited
//! read: `contact_viewed` is written before anything is decrypted. Where the actor's role
//! demands a reason for data outside their own scope (`access::reason_needed`), the plain
//! GET shows `reason_form`'s form, whose POST opens the page and puts the reason into the
//! `contact_viewed` entry.

use super::{READ, date, decide, entry, may_read, status_label};
use crate::access::{self, Actor, Object};
use crate::audit::{self, Action};
use crate::console::page::Chrome;
use crate::console::reason_form::{self, ReasonForm, Step, What};
use crate::console::session::Authenticated;
use crate::db::consents::{self, Consent};
use crate::db::contact_edit::{self, Record};
use crate::db::contacts::ContactId;
use crate::db::conversations::Conversation;
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/contacts/{id}", Rule::Staff(READ), show);
    // The same page with the reason its role demands (`reason_form`).
    r.post("/console/contacts/{id}", Rule::Staff(READ), show);
}

/// One conversation of the contact as listed.
pub struct ConversationRow {
    pub id: i64,
    pub widget: String,
    pub status: &'static str,
    pub started: String,
    pub messages: i64,
    pub consents: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/contact.html")]
struct ContactPage {
    page: Chrome,
    contact: Record,
    created: String,
    updated: String,
    rows: Vec<ConversationRow>,
    /// How many conversations of the contact are outside the actor's scope (counted, not
    /// shown), as a sentence; `None` when there are none.
    hidden: Option<String>,
    done: Option<&'static str>,
    /// The reason this read was opened with: the edit and erase buttons carry it on to
    /// those pages (as a POST), so the same piece of work is not asked twice.
    reason: Option<String>,
}

#[derive(Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

fn consent_line(t: Tr, c: &Consent) -> String {
    // As the transcript names the notice's language.
    let lang = crate::widget::lang::VisitorLang::from_code(&c.given.lang)
        .map(|l| format!("{} ({})", l.name(), l.code()))
        .unwrap_or_else(|| c.given.lang.clone());
    let line = t.fill(
        "transcript.consent_given",
        &[
            ("version", &c.given.notice_version),
            ("lang", &lang),
            ("at", &date(c.given_at)),
        ],
    );
    match c.withdrawn_at {
        Some(w) => format!(
            "{line}; {}",
            t.fill("transcript.consent_withdrawn", &[("at", &date(w))])
        ),
        None => line,
    }
}

type Loaded = (Record, Vec<(Conversation, String, Vec<Consent>)>, usize);

/// Whether `actor` must type a reason before reading contact `id`, given its conversations
/// (`decide`): outside their own scope when they handled none of them (a contact without
/// any conversation included).
pub(super) fn reason_needed(
    conn: &mut DbConn,
    actor: &Actor,
    id: ContactId,
    convs: &[(Conversation, String)],
) -> DbResult<bool> {
    let mut reach = Vec::with_capacity(convs.len());
    for (c, _) in convs {
        if let Object::Conversation { team, operator, .. } = access::conversation(conn, c)? {
            reach.push((team, operator));
        }
    }
    access::reason_needed(conn, actor, &Object::Contact { id, reach })
}

/// Whether the actor may read the contact but must give a reason first. `false` for a
/// missing contact or one out of reach: the audited read answers those.
pub(super) async fn needed(
    state: &AppState,
    actor: &Actor,
    id: ContactId,
) -> Result<bool, AppError> {
    let actor = actor.clone();
    Ok(state
        .blocking(move |conn, _| needed_now(conn, &actor, id))
        .await?)
}

/// `needed`, inside a transaction (where the read binds).
pub(super) fn needed_now(conn: &mut DbConn, actor: &Actor, id: ContactId) -> DbResult<bool> {
    match decide(conn, actor, READ, id)? {
        Ok(convs) => reason_needed(conn, actor, id, &convs),
        Err(_) => Ok(false),
    }
}

/// The plain GET, and the POST of the reason form (its address, or `<path>/open` before a
/// change; a body that is no form counts as the plain GET: it reads nothing more): the
/// form where a reason is needed and none qualifying came, else the page.
async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
    sent: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let id = ContactId(path.into_inner());
    let ask = needed(&state, &session.actor, id);
    match reason_form::step(
        &req,
        &session,
        What::Contact,
        sent.map(web::Form::into_inner),
        ask,
    )
    .await?
    {
        Step::Ask(form) => Ok(form),
        Step::Open(reason) => page(req, state, session, id, query.into_inner(), reason).await,
    }
}

/// The audited read: its entry (with the reason, if one was typed) before anything is read.
async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: ContactId,
    query: ShowQuery,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let actor = session.actor.clone();
    let carried = reason.clone();
    let loaded: Loaded = state
        .blocking(move |conn, st| {
            let typed = reason.is_some();
            let mut entry = entry(st.clock.naive(), &actor, Action::ContactViewed, id);
            entry.reason = reason;
            audit::read_or(
                conn,
                &st.ring,
                entry,
                |conn| {
                    let convs = match decide(conn, &actor, READ, id)? {
                        Ok(convs) => convs,
                        Err(refused) => return Ok(Err(refused)),
                    };
                    // Asked before the form was shown; asked again here, where it binds.
                    if !typed && reason_needed(conn, &actor, id, &convs)? {
                        return Ok(Err(reason_form::missing()));
                    }
                    let Some(record) = contact_edit::load(conn, &st.ring, id)? else {
                        return Ok(Err(AppError::NotFound));
                    };
                    let mut rows = Vec::new();
                    let mut hidden = 0;
                    for (c, widget) in convs {
                        if !may_read(conn, &actor, &c)? {
                            hidden += 1;
                            continue;
                        }
                        let given = consents::for_conversation(conn, c.id)?;
                        rows.push((c, widget, given));
                    }
                    Ok(Ok((record, rows, hidden)))
                },
                audit::hooks::outcome_of,
            )
        })
        .await??;
    let (contact, rows, hidden) = loaded;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let rows = rows
        .into_iter()
        .map(|(c, widget, given)| ConversationRow {
            id: c.id.0,
            widget,
            status: status_label(t, c.status),
            started: date(c.created_at),
            messages: c.last_seq,
            consents: given.iter().map(|g| consent_line(t, g)).collect(),
        })
        .collect();
    let done = match query.done.as_deref() {
        Some("saved") => Some("contact.done.saved"),
        Some("unchanged") => Some("contact.done.unchanged"),
        Some("merged") => Some("contact.done.merged"),
        _ => None,
    };
    let view = ContactPage {
        created: date(contact.created_at),
        updated: date(contact.updated_at),
        page,
        contact,
        rows,
        hidden: (hidden > 0).then(|| t.fill("contact.hidden", &[("count", &hidden.to_string())])),
        done,
        reason: carried,
    };
    view.page.render(&view, StatusCode::OK)
}
