//! `/console/approvals`: four-eyes approval of exports and bulk deletions (issue 8).
//! An action that needs a second person (`db::approvals::gate`) is stored as a request and
//! its user sees the waiting page (`waiting`, 202). The list shows each signed-in user the
//! requests they made and the pending requests of others they could decide: those whose
//! role holds the permission the action needs (exports read; deletions edit). Anyone else
//! gets the same 404 as for a missing request. Approve and refuse (`decide.rs`) are
//! audited; the requester alone runs an approved request, once, before it expires, with
//! their permission and scope checked again at that moment.

mod decide;

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Actor, Object, Permission};
use crate::db::approvals::{self, Approval, ApprovalId, Kind, Status};
use crate::db::staff::{self, StaffId};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// Everyone signed in reaches the page; what it lists depends on the role (see above).
const SIGNED_IN: Permission = Permission::SignedIn;
/// Requests shown, newest first.
const LIMIT: i64 = 200;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/approvals", Rule::Staff(SIGNED_IN), list);
    r.post(
        "/console/approvals/{id}",
        Rule::Staff(SIGNED_IN),
        decide::post,
    );
}

/// Whether `actor` may decide requests of `kind`: their role holds the action's permission.
pub(crate) fn may_decide(actor: &Actor, kind: Kind) -> bool {
    access::require(actor, kind.permission(), Object::None).is_ok()
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One request as a row of the page.
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub requester: String,
    pub conversations: i64,
    pub created: String,
    pub expires: String,
    /// i18n key of the status (expired is shown as such).
    pub status: &'static str,
    pub approver: String,
    pub runnable: bool,
}

#[derive(Template)]
#[template(path = "console/approvals.html")]
struct ListPage {
    page: Chrome,
    /// Pending requests of others this user may decide.
    to_decide: Vec<Row>,
    /// This user's own requests.
    mine: Vec<Row>,
    done: Option<String>,
}

fn status_key(a: &Approval, now: NaiveDateTime) -> &'static str {
    if a.expired(now) {
        return "approvals.status.expired";
    }
    match a.status {
        Status::Pending => "approvals.status.pending",
        Status::Approved => "approvals.status.approved",
        Status::Refused => "approvals.status.refused",
        Status::Used => "approvals.status.used",
    }
}

fn kind_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Export => "approvals.kind.export",
        Kind::ExportPerson => "approvals.kind.export_person",
        Kind::Delete => "approvals.kind.delete",
        Kind::EraseContact => "approvals.kind.erase_contact",
    }
}

fn row(t: &Tr, a: &Approval, names: &HashMap<StaffId, String>, now: NaiveDateTime) -> Row {
    let name = |id: Option<StaffId>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    Row {
        id: a.id.0,
        kind: t.get(kind_key(a.kind)).to_string(),
        requester: name(Some(a.requester)),
        conversations: a.conversations,
        created: time(a.created_at),
        expires: time(a.expires_at),
        status: status_key(a, now),
        approver: name(a.approver),
        runnable: a.status == Status::Approved && !a.expired(now),
    }
}

#[derive(serde::Deserialize)]
struct ListQuery {
    done: Option<String>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, SIGNED_IN, Object::None)?;
    let me = session.actor.staff;
    let (found, names, now) = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let found = approvals::visible(conn, me, LIMIT, now)?;
            let mut names = HashMap::new();
            for a in &found {
                for id in std::iter::once(a.requester).chain(a.approver) {
                    if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                        let username = staff::by_id(conn, id)?.map(|s| s.username);
                        slot.insert(username.unwrap_or_default());
                    }
                }
            }
            Ok((found, names, now))
        })
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let actor = &session.actor;
    let to_decide = found
        .iter()
        .filter(|a| a.requester != me && a.status == Status::Pending && !a.expired(now))
        .filter(|a| may_decide(actor, a.kind))
        .map(|a| row(&t, a, &names, now))
        .collect();
    let mine = found
        .iter()
        .filter(|a| a.requester == me)
        .map(|a| row(&t, a, &names, now))
        .collect();
    let done = query
        .into_inner()
        .done
        .filter(|d| ["approved", "refused"].contains(&d.as_str()));
    let view = ListPage {
        page,
        to_decide,
        mine,
        done,
    };
    view.page.render(&view, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "console/approvals_waiting.html")]
struct WaitingPage {
    page: Chrome,
    id: i64,
    kind: String,
    conversations: i64,
    expires: String,
}

/// The answer to an action stored as a request: nothing was done, a second person must
/// approve (202 Accepted: no file, no deletion).
pub(crate) async fn waiting(
    req: &HttpRequest,
    session: &Authenticated,
    id: ApprovalId,
) -> Result<HttpResponse, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("no state".into()))?
        .clone();
    let found = state
        .blocking(move |conn, _| approvals::by_id(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let page = Chrome::new(req, Some(session))?;
    let view = WaitingPage {
        id: id.0,
        kind: page.t.get(kind_key(found.kind)).to_string(),
        conversations: found.conversations,
        expires: time(found.expires_at),
        page,
    };
    view.page.render(&view, StatusCode::ACCEPTED)
}
