//! Bulk erasure of selected conversations (GDPR Art. 17): `GET /console/conversations/delete
//! ?id=..&id=..` shows what will go (no personal data: widget, date, counts), the POST (ids
//! and CSRF) erases them in one transaction with a journal row and a `conversation_deleted`
//! entry each. Needs deletions edit and every id within the actor's conversations scope:
//! one id missing or outside it answers 404 for the whole request and nothing is deleted.
//! Contacts the conversations name stay (erase a contact on its own page). Also the steps
//! every staff erasure ends with: the WAL checkpoint and telling live consoles.

use crate::access::{self, Area, Object, Permission};
use crate::audit::{self, Action, Entry};
use crate::chat::bus::Event;
use crate::console::contacts::{Stop, link_request, request_id};
use crate::console::csrf;
use crate::console::page::Chrome;
use crate::console::session::Authenticated;
use crate::db::approvals::gate::{self, Gate, Passed};
use crate::db::approvals::{self, ApprovalId};
use crate::db::conversations::{self, Conversation, ConversationId};
use crate::db::erasure::staff::{self as erasure, Counts};
use crate::db::{DbConn, DbResult, widgets};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

const ERASE: Permission = Permission::Edit(Area::Deletions);
/// Most conversations one request erases; select fewer and repeat for more.
const MAX_BULK: usize = 1000;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/conversations/delete", Rule::Staff(ERASE), confirm);
    r.post("/console/conversations/delete", Rule::Staff(ERASE), delete);
}

/// One selected conversation as the confirmation lists it.
pub struct Row {
    pub id: i64,
    pub widget: String,
    pub started: String,
    pub status: &'static str,
    pub messages: i64,
}

#[derive(Template)]
#[template(path = "console/conversations_delete.html")]
struct DeletePage {
    page: Chrome,
    rows: Vec<Row>,
    counts: Counts,
    request: Option<String>,
    /// After the erasure: how many went.
    erased: Option<usize>,
}

impl DeletePage {
    fn request_value(&self) -> Option<&str> {
        self.request.as_deref()
    }
}

/// The ids, the optional request and the CSRF token of a query or form (`id` repeated).
struct Selection {
    ids: Vec<ConversationId>,
    request: Option<String>,
    csrf: Option<String>,
}

fn selection(pairs: Vec<(String, String)>) -> Result<Selection, AppError> {
    let mut out = Selection {
        ids: Vec::new(),
        request: None,
        csrf: None,
    };
    for (key, value) in pairs {
        match key.as_str() {
            "id" => {
                let id = value.trim().parse::<i64>().map_err(|_| {
                    AppError::BadRequest("a conversation id must be a number".into())
                })?;
                if !out.ids.contains(&ConversationId(id)) {
                    out.ids.push(ConversationId(id));
                }
            }
            "request" => out.request = Some(value),
            "csrf" => out.csrf = Some(value),
            _ => {}
        }
    }
    if out.ids.len() > MAX_BULK {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_BULK} conversations at once"
        )));
    }
    Ok(out)
}

/// Every selected conversation, when each exists and is within the actor's scope; else
/// `NotFound` for all of them.
fn reach(
    conn: &mut DbConn,
    actor: &access::Actor,
    ids: &[ConversationId],
) -> DbResult<Result<Vec<Conversation>, AppError>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(c) = conversations::by_id(conn, *id)? else {
            return Ok(Err(AppError::NotFound));
        };
        let object = access::conversation(conn, &c)?;
        if let Err(denied) = access::require(actor, Permission::Read(Area::Conversations), object) {
            // Forbidden stays forbidden; outside the scope is answered like missing.
            return Ok(Err(denied.into()));
        }
        found.push(c);
    }
    Ok(Ok(found))
}

async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, ERASE, Object::None)?;
    let selected = selection(query.into_inner())?;
    let actor = session.actor.clone();
    let ids = selected.ids.clone();
    let (found, names, counts) = state
        .blocking(move |conn, _| {
            let found = match reach(conn, &actor, &ids)? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            let names: std::collections::HashMap<_, _> = widgets::list(conn)?
                .into_iter()
                .map(|w| (w.id, w.settings.name))
                .collect();
            Ok(Ok((found, names, erasure::counts(conn, &ids)?)))
        })
        .await??;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let rows = found
        .into_iter()
        .map(|c| Row {
            id: c.id.0,
            widget: names.get(&c.widget).cloned().unwrap_or_default(),
            started: super::contacts::date(c.created_at),
            status: super::contacts::status_label(t, c.status),
            messages: c.last_seq,
        })
        .collect();
    let view = DeletePage {
        page,
        rows,
        counts,
        request: selected.request,
        erased: None,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, ERASE, Object::None)?;
    let selected = selection(form.into_inner())?;
    csrf::verify(&req, Some(&session), selected.csrf.as_deref())?;
    run(&req, &state, &session, selected, None).await
}

/// The selection as a query string, stored with an approval request: ids and the
/// data-subject request only.
fn params_of(selected: &Selection) -> String {
    let mut pairs: Vec<String> = selected.ids.iter().map(|i| format!("id={}", i.0)).collect();
    if let Some(r) = selected
        .request
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        pairs.push(format!("request={}", super::search::params::encode(r)));
    }
    pairs.join("&")
}

/// Runs a bulk erasure stored with its approval (`console::approvals`), once.
pub(crate) async fn run_approved(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    params: &str,
    approval: ApprovalId,
) -> Result<HttpResponse, AppError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(params)
        .map_err(|_| AppError::BadRequest("the stored request cannot be read".into()))?
        .into_inner();
    run(req, state, session, selection(pairs)?, Some(approval)).await
}

/// Erases the selection in one transaction, after the four-eyes gate: without `approved`
/// it may be stored as a request instead (the waiting page, 202), with it the approval is
/// used up in the same transaction.
async fn run(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    selected: Selection,
    approved: Option<ApprovalId>,
) -> Result<HttpResponse, AppError> {
    if selected.ids.is_empty() {
        return Err(AppError::BadRequest("no conversation selected".into()));
    }
    let request = request_id(selected.request.as_deref())?;
    let actor = session.actor.clone();
    let params = params_of(&selected);
    let ids = selected.ids;
    let done = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let done = crate::db::write_transaction(conn, |conn| -> Result<_, Stop> {
                reach(conn, &actor, &ids)??;
                let gate = match approved {
                    Some(id) => Gate::Approved(id),
                    None => Gate::Ask { params: &params },
                };
                let count = ids.len() as u64;
                let kind = approvals::Kind::Delete;
                if let Passed::Waiting(id) =
                    gate::pass(conn, &st.ring, now, &actor, kind, gate, count)??
                {
                    return Ok(Err(id));
                }
                let erased = erasure::erase_conversations(conn, &ids, None, now)?;
                for e in &erased {
                    let object = audit::Object::conversation(e.id);
                    let entry = Entry::new(now, actor.staff, Action::ConversationDeleted, object);
                    audit::record(conn, &st.ring, &entry)?;
                    link_request(conn, request, "erased", "conversation", e.id.0, now)?;
                }
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
        Err(waiting) => return super::approvals::waiting(req, session, waiting).await,
    };
    announce(state, &erased);
    let view = DeletePage {
        page: Chrome::new(req, Some(session))?,
        rows: Vec::new(),
        counts: Counts::default(),
        request: None,
        erased: Some(erased.len()),
    };
    view.page.render(&view, StatusCode::OK)
}

/// After an erasure's commit, on the blocking pool: moves the erased bytes out of SQLite's
/// WAL (a failure is logged; the rows are gone either way).
pub fn checkpoint(conn: &mut DbConn) {
    if let Err(e) = erasure::checkpoint(conn) {
        tracing::warn!(error = %e, "WAL checkpoint after an erasure failed");
    }
}

/// Tells open consoles and download tickets that these conversations are gone (ids only).
pub fn announce(state: &AppState, ids: &[ConversationId]) {
    for id in ids {
        state.downloads.revoke(*id);
        state
            .hub
            .bus
            .publish(Event::ConversationChanged { conversation: *id });
    }
}
