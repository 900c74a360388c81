//! `POST /console/approvals/{id}` with `decision` = approve, refuse or run. Approve and
//! refuse: a pending, unexpired request of someone else whose action the decider's role
//! could do itself; audited as `approval_given` / `approval_refused` (a refusal of the
//! decision with its outcome). Run: the requester's own approved request, once; the action
//! then goes through its usual checks with the approval (`Gate::Approved`), which uses it up
//! in the action's own transaction. A request the user may not see answers 404.

use super::{SIGNED_IN, may_decide};
use crate::access::{self, Object};
use crate::audit::{self, Action, Entry, Outcome};
use crate::console::csrf;
use crate::console::session::Authenticated;
use crate::db::approvals::{self, ApprovalId, Kind, Status, gate};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

#[derive(serde::Deserialize)]
pub(super) struct DecisionForm {
    csrf: Option<String>,
    decision: Option<String>,
}

pub(super) async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, SIGNED_IN, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = ApprovalId(path.into_inner());
    match form.decision.as_deref() {
        Some("approve") => decide(&state, &session, id, true).await,
        Some("refuse") => decide(&state, &session, id, false).await,
        Some("run") => run(&req, &state, &session, id).await,
        _ => Err(AppError::BadRequest(
            "decision is approve, refuse or run".into(),
        )),
    }
}

async fn decide(
    state: &AppState,
    session: &Authenticated,
    id: ApprovalId,
    approve: bool,
) -> Result<HttpResponse, AppError> {
    let actor = session.actor.clone();
    let action = if approve {
        Action::ApprovalGiven
    } else {
        Action::ApprovalRefused
    };
    state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry = Entry::new(now, actor.staff, action, gate::object(id));
            audit::read_or(
                conn,
                &st.ring,
                entry,
                |conn| {
                    let Some(found) = approvals::by_id(conn, id)? else {
                        return Ok(Err(AppError::NotFound));
                    };
                    let own = found.requester == actor.staff;
                    if !own && !may_decide(&actor, found.kind) {
                        return Ok(Err(AppError::NotFound));
                    }
                    if own {
                        return Ok(Err(AppError::Forbidden(
                            "a request needs a second person: you cannot decide your own".into(),
                        )));
                    }
                    if found.expired(now) {
                        return Ok(Err(AppError::BadRequest(
                            "this request has expired; ask for a new one".into(),
                        )));
                    }
                    if found.status != Status::Pending
                        || !approvals::decide(conn, id, actor.staff, approve, now)?
                    {
                        return Ok(Err(AppError::BadRequest(
                            "this request has been decided already".into(),
                        )));
                    }
                    Ok(Ok(()))
                },
                audit::hooks::outcome_of,
            )
        })
        .await??;
    let done = if approve { "approved" } else { "refused" };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/console/approvals?done={done}")))
        .finish())
}

/// Why a run is refused before it starts, or `None` when it may start.
fn refusal(found: &approvals::Approval, now: chrono::NaiveDateTime) -> Option<&'static str> {
    if found.expired(now) {
        return Some("this approval has expired; ask for a new one");
    }
    match found.status {
        Status::Approved => None,
        Status::Pending => Some("this request has not been approved yet"),
        Status::Refused => Some("this request was refused"),
        Status::Used => Some("this approval was used already; an approval runs once"),
    }
}

async fn run(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    id: ApprovalId,
) -> Result<HttpResponse, AppError> {
    let me = session.actor.staff;
    let checked = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let Some(found) = approvals::by_id(conn, id)? else {
                return Ok(Err(AppError::NotFound));
            };
            // Only the requester runs it; to anyone else it does not exist.
            if found.requester != me {
                return Ok(Err(AppError::NotFound));
            }
            if let Some(why) = refusal(&found, now) {
                let entry = Entry::new(now, me, Action::ApprovalUsed, gate::object(id))
                    .outcome(Outcome::Denied);
                audit::append(conn, &st.ring, &entry)?;
                return Ok(Err(AppError::BadRequest(why.into())));
            }
            let params = approvals::params(&st.ring, &found)?;
            Ok(Ok((found.kind, params)))
        })
        .await?;
    let (kind, params) = checked?;
    match kind {
        Kind::Export => {
            crate::console::exports::download(req, state, session, &params, Some(id)).await
        }
        Kind::Delete => {
            crate::console::conversation_delete::run_approved(req, state, session, &params, id)
                .await
        }
        Kind::EraseContact => {
            crate::console::contacts::erase::run_approved(req, state, session, &params, id).await
        }
        Kind::ExportPerson => {
            crate::console::exports::person_approved(req, state, session, &params, id).await
        }
    }
}
