//! `/admin/audit`: the audit log for roles that may read it (data-protection officers,
//! auditors): filter by actor, action, object and time, pages by seq (keyset, no OFFSET),
//! the chain's state, an object's history ("who looked at this conversation") and a CSV
//! export of the filtered view. Every view and export is itself an audit entry, written
//! before the read. Shows what the log holds (ids and words) and staff by user name; never
//! marks anything safe in the template.

mod csv;
mod filter;

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object as Target, Permission};
use crate::audit::{self, Action, ChainState, Entry, Object, ObjectKind, Problem};
use crate::db::audit::{self as table, Filter, Row};
use crate::db::staff::StaffId;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

const READ: Permission = Permission::Read(Area::Audit);
const PAGE: i64 = 50;
/// An export holds at most this many entries (newest first); narrow the filter for more.
const EXPORT_MAX: i64 = 100_000;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/audit", Rule::Staff(READ), list);
    r.get("/admin/audit/export.csv", Rule::Staff(READ), export);
}

/// One entry as shown.
pub struct Line {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    /// The object's own history in this view.
    pub history: Option<String>,
    pub outcome: String,
    pub refused: bool,
    pub reason: String,
    /// The fields the action touched, translated; empty for most entries.
    pub detail: String,
}

/// An option of a filter's select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ChainView {
    pub intact: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    page: Chrome,
    lines: Vec<Line>,
    actors: Vec<Choice>,
    actions: Vec<Choice>,
    kinds: Vec<Choice>,
    query: filter::Query,
    /// Query string of the filter, for links.
    filter: String,
    older: Option<i64>,
    first_page: bool,
    chain: ChainView,
}

/// The entry a view or export leaves: about the object filtered for, else the log itself.
fn entry_for(at: chrono::NaiveDateTime, me: StaffId, action: Action, filter: &Filter) -> Entry {
    let kind = filter.object_type.as_deref().and_then(ObjectKind::parse);
    let object = match (kind, filter.object_id) {
        (Some(kind), Some(id)) => Object::new(kind, Some(id)),
        _ => Object::audit_log(),
    };
    Entry::new(at, me, action, object)
}

type Names = HashMap<i64, String>;

fn staff_names(conn: &mut crate::db::DbConn) -> crate::db::DbResult<Names> {
    Ok(crate::db::staff::list(conn)?
        .into_iter()
        .map(|s| (s.id.0, s.username))
        .collect())
}

fn label(t: Tr, prefix: &str, word: &str) -> String {
    let key = format!("{prefix}.{word}");
    let text = t.fill(&key, &[]);
    if text == key { word.to_string() } else { text }
}

fn actor_label(t: Tr, names: &Names, kind: &str, id: Option<i64>) -> String {
    match (kind, id) {
        ("staff", Some(id)) => names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
        _ => label(t, "audit.actor", kind),
    }
}

fn line(t: Tr, names: &Names, r: Row) -> Line {
    let kind = label(t, "audit.object", &r.object_type);
    let (object, history) = match r.object_id {
        Some(id) => {
            // Staff accounts by user name where it is known; everything else by id.
            let shown = match names.get(&id).filter(|_| r.object_type == "staff") {
                Some(name) => format!("{kind} {name}"),
                None => format!("{kind} {id}"),
            };
            let history = format!("object_type={}&object_id={id}", r.object_type);
            (shown, Some(history))
        }
        None => (kind, None),
    };
    Line {
        seq: r.seq,
        at: r.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        actor: actor_label(t, names, &r.actor, r.actor_id),
        action: label(t, "audit.action", &r.action),
        object,
        history,
        refused: r.outcome != "ok",
        outcome: label(t, "audit.outcome", &r.outcome),
        reason: r.reason.unwrap_or_default(),
        detail: r
            .detail
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|w| !w.is_empty())
            .map(|w| label(t, "audit.detail", w))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn chain_view(t: Tr, state: &ChainState) -> ChainView {
    match state {
        ChainState::Intact { entries, head, .. } => ChainView {
            intact: true,
            text: t.fill(
                "audit.chain.intact",
                &[
                    ("entries", &entries.to_string()),
                    ("seq", &head.seq.to_string()),
                ],
            ),
        },
        ChainState::Broken(b) => {
            let why = match b.problem {
                Problem::AnchorAltered => "audit.chain.anchor",
                Problem::Missing { .. } => "audit.chain.missing",
                Problem::Altered => "audit.chain.altered",
                Problem::BeforeStart => "audit.chain.before_start",
                Problem::HeadMismatch => "audit.chain.cut",
            };
            ChainView {
                intact: false,
                text: format!(
                    "{} {}",
                    t.fill("audit.chain.broken", &[("seq", &b.seq.to_string())]),
                    t.get(why)
                ),
            }
        }
    }
}

fn choices<T: Copy>(
    t: Tr,
    all: &[T],
    word: impl Fn(T) -> &'static str,
    prefix: &str,
    current: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| {
            let value = word(*v);
            Choice {
                value: value.to_string(),
                label: label(t, prefix, value),
                selected: value == current,
            }
        })
        .collect()
}

fn actor_choices(t: Tr, names: &Names, current: &str) -> Vec<Choice> {
    let mut staff: Vec<(&i64, &String)> = names.iter().collect();
    staff.sort_by(|a, b| a.1.cmp(b.1));
    let words = ["system", "visitor", "anonymous"]
        .into_iter()
        .map(|w| (w.to_string(), label(t, "audit.actor", w)));
    staff
        .into_iter()
        .map(|(id, name)| (format!("staff:{id}"), name.clone()))
        .chain(words)
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<filter::Query>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Target::None)?;
    let query = query.into_inner();
    let (filter, before) = query.parse()?;
    let me = session.actor.staff;
    let (rows, names) = state
        .blocking(move |conn, st| {
            let entry = entry_for(st.clock.naive(), me, Action::AuditViewed, &filter);
            audit::before(conn, &st.ring, &entry, |conn| {
                Ok((
                    table::page(conn, &filter, before, PAGE + 1)?,
                    staff_names(conn)?,
                ))
            })
        })
        .await?;
    // Outside the write transaction: a long chain does not hold up appends meanwhile.
    let chain = chain_state(&state).await?;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let more = rows.len() > usize::try_from(PAGE).unwrap_or(50);
    let lines: Vec<Line> = rows
        .into_iter()
        .take(usize::try_from(PAGE).unwrap_or(50))
        .map(|r| line(t, &names, r))
        .collect();
    let view = AuditPage {
        actors: actor_choices(t, &names, query.value("actor")),
        actions: choices(
            t,
            Action::ALL,
            Action::as_str,
            "audit.action",
            query.value("action"),
        ),
        kinds: choices(
            t,
            ObjectKind::ALL,
            ObjectKind::as_str,
            "audit.object",
            query.value("object_type"),
        ),
        older: more.then(|| lines.last().map(|l| l.seq)).flatten(),
        first_page: before.is_none(),
        filter: query.to_query_string(),
        chain: chain_view(t, &chain),
        lines,
        query,
        page,
    };
    view.page.render(&view, StatusCode::OK)
}

/// The chain's state for the page, bounded per view (`audit::verify_bounded`): what was
/// appended since the last view, the tail on the first view after a start, and a rolling
/// re-check of older entries. `plauder audit verify` always checks it all.
async fn chain_state(state: &AppState) -> Result<ChainState, AppError> {
    let known = state
        .audit_checkpoint
        .lock()
        .map(|k| k.clone())
        .unwrap_or_default();
    let (chain, next) = state
        .blocking(move |conn, st| audit::verify_bounded(conn, &st.ring, &known))
        .await?;
    if let Ok(mut kept) = state.audit_checkpoint.lock() {
        // Two views at once: the later head wins.
        let newer = match (&kept.head, &next.head) {
            (Some(k), Some(n)) => n.seq >= k.seq,
            (None, _) => true,
            (Some(_), None) => false,
        };
        if newer {
            *kept = next;
        }
    }
    Ok(chain)
}

async fn export(
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<filter::Query>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Target::None)?;
    let (filter, _) = query.parse()?;
    let me = session.actor.staff;
    let (rows, names) = state
        .blocking(move |conn, st| {
            let entry = entry_for(st.clock.naive(), me, Action::AuditExported, &filter);
            audit::before(conn, &st.ring, &entry, |conn| {
                Ok((
                    table::page(conn, &filter, None, EXPORT_MAX)?,
                    staff_names(conn)?,
                ))
            })
        })
        .await?;
    let mut body = csv::header();
    for r in &rows {
        let name = r.actor_id.and_then(|id| names.get(&id)).map_or("", |n| n);
        body.push_str(&csv::row(r, name));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"plauder-audit.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
