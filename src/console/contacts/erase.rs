//! `/console/contacts/{id}/erase`: erasure of a contact with all their conversations
//! (GDPR Art. 17). Needs deletions edit, the contact within the actor's contacts reach and
//! every one of its conversations within their conversations scope: an erasure never
//! reaches past what the actor may see (otherwise 404, like a missing contact). The page
//! says what will go (counts); the POST erases it all in one transaction with a journal
//! row per conversation and the audit entries, then checkpoints SQLite's WAL.

use super::show::{needed, needed_now};
use super::{ERASE, READ, Stop, decide, entry, link_request, may_read, request_id};
use crate::access::{self, Actor, Object};
use crate::audit::{self, Action};
use crate::console::conversation_delete::{announce, checkpoint};
use crate::console::csrf;
use crate::console::page::Chrome;
use crate::console::reason_form::{self, ReasonForm, Step, What};
use crate::console::session::Authenticated;
use crate::db::approvals::gate::{self, Gate, Passed};
use crate::db::approvals::{self, ApprovalId};
use crate::db::contact_edit;
use crate::db::contacts::{ContactFields, ContactId};
use crate::db::conversations::ConversationId;
use crate::db::erasure::staff::{self as erasure, Counts};
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/contacts/{id}/erase", Rule::Staff(ERASE), confirm);
    r.post(
        "/console/contacts/{id}/erase/open",
        Rule::Staff(ERASE),
        confirm,
    );
    r.post("/console/contacts/{id}/erase", Rule::Staff(ERASE), erase);
}

#[derive(Template)]
#[template(path = "console/contact_erase.html")]
struct ErasePage {
    page: Chrome,
    id: i64,
    fields: ContactFields,
    counts: Counts,
    request: Option<String>,
}

impl ErasePage {
    fn request_value(&self) -> Option<&str> {
        self.request.as_deref()
    }
}

/// The contact's conversations when the actor may erase the contact and every one of them.
fn reach(
    conn: &mut DbConn,
    actor: &Actor,
    id: ContactId,
) -> DbResult<Result<Vec<ConversationId>, AppError>> {
    let convs = match decide(conn, actor, READ, id)? {
        Ok(convs) => convs,
        Err(refused) => return Ok(Err(refused)),
    };
    let mut ids = Vec::with_capacity(convs.len());
    for (c, _) in &convs {
        if !may_read(conn, actor, c)? {
            return Ok(Err(AppError::NotFound));
        }
        ids.push(c.id);
    }
    Ok(Ok(ids))
}

#[derive(Deserialize)]
struct ConfirmQuery {
    request: Option<String>,
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
    access::require(&session.actor, ERASE, Object::None)?;
    let id = ContactId(path.into_inner());
    let ask = needed(&state, &session.actor, id);
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
        Step::Open(reason) => shown(req, state, session, id, query.into_inner(), reason).await,
    }
}

/// The page names whom it erases: an audited read (with the reason, where one was typed).
async fn shown(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: ContactId,
    query: ConfirmQuery,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let actor = session.actor.clone();
    let (fields, counts) = state
        .blocking(move |conn, st| {
            let typed = reason.is_some();
            let mut entry = entry(st.clock.naive(), &actor, Action::ContactViewed, id);
            entry.reason = reason;
            audit::read_or(
                conn,
                &st.ring,
                entry,
                |conn| {
                    let ids = match reach(conn, &actor, id)? {
                        Ok(ids) => ids,
                        Err(refused) => return Ok(Err(refused)),
                    };
                    if !typed && needed_now(conn, &actor, id)? {
                        return Ok(Err(reason_form::missing()));
                    }
                    let Some(record) = contact_edit::load(conn, &st.ring, id)? else {
                        return Ok(Err(AppError::NotFound));
                    };
                    Ok(Ok((record.fields, erasure::counts(conn, &ids)?)))
                },
                audit::hooks::outcome_of,
            )
        })
        .await??;
    let view = ErasePage {
        page: Chrome::new(&req, Some(&session))?,
        id: id.0,
        fields,
        counts,
        request: query.request,
    };
    view.page.render(&view, StatusCode::OK)
}

#[derive(Deserialize)]
struct EraseForm {
    csrf: Option<String>,
    request: Option<String>,
}

async fn erase(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<EraseForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, ERASE, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = ContactId(path.into_inner());
    let request = request_id(form.request.as_deref())?;
    run(&req, &state, &session, id, request, None).await
}

/// Runs a contact's erasure stored with its approval (`console::approvals`), once.
pub(crate) async fn run_approved(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    params: &str,
    approval: ApprovalId,
) -> Result<HttpResponse, AppError> {
    let stored = web::Query::<StoredParams>::from_query(params)
        .map_err(|_| AppError::BadRequest("the stored request cannot be read".into()))?
        .into_inner();
    let id = ContactId(stored.contact);
    run(req, state, session, id, stored.request, Some(approval)).await
}

/// What an approval request of a contact's erasure keeps: ids only.
#[derive(Deserialize)]
struct StoredParams {
    contact: i64,
    request: Option<i64>,
}

/// The erasure in one transaction, after the four-eyes gate. A contact's erasure deletes
/// all their conversations, so the threshold counts those, as for a bulk deletion.
async fn run(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    id: ContactId,
    request: Option<i64>,
    approved: Option<ApprovalId>,
) -> Result<HttpResponse, AppError> {
    let actor = session.actor.clone();
    let params = match request {
        Some(r) => format!("contact={}&request={r}", id.0),
        None => format!("contact={}", id.0),
    };
    let done = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let done = crate::db::write_transaction(conn, |conn| -> Result<_, Stop> {
                let ids = reach(conn, &actor, id)??;
                let gate = match approved {
                    Some(a) => Gate::Approved(a),
                    None => Gate::Ask { params: &params },
                };
                let (kind, count) = (approvals::Kind::EraseContact, ids.len() as u64);
                if let Passed::Waiting(a) =
                    gate::pass(conn, &st.ring, now, &actor, kind, gate, count)??
                {
                    return Ok(Err(a));
                }
                let erased = erasure::erase_contact(conn, id, now)?.ok_or(AppError::NotFound)?;
                audit::record(
                    conn,
                    &st.ring,
                    &entry(now, &actor, Action::ContactDeleted, id),
                )?;
                for e in &erased {
                    let object = audit::Object::conversation(e.id);
                    let deleted =
                        audit::Entry::new(now, actor.staff, Action::ConversationDeleted, object);
                    audit::record(conn, &st.ring, &deleted)?;
                }
                link_request(conn, request, "erased", "contact", id.0, now)?;
                Ok(Ok(erased.into_iter().map(|e| e.id).collect::<Vec<_>>()))
            });
            if matches!(done, Ok(Ok(_))) {
                checkpoint(conn);
            }
            Ok(done)
        })
        .await?
        .map_err(AppError::from)?;
    let erased = match done {
        Ok(erased) => erased,
        Err(waiting) => return crate::console::approvals::waiting(req, session, waiting).await,
    };
    announce(state, &erased);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/console/contacts?done=erased"))
        .finish())
}
