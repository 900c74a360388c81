//! `/console/requests`: the register sorted by due date, filtered by status, type and
//! urgency (overdue, due within 7 days). Shows subject references, so each view is
//! audited (`request_viewed` without an id) before anything is decrypted.

use super::{Choice, LIST_LIMIT, READ, choices, date, require, staff_name};
use crate::audit::{self, Action, Entry};
use crate::console::page::Chrome;
use crate::console::session::Authenticated;
use crate::db::dsr::{self, Filter};
use crate::dsr::due::{Urgency, urgency};
use crate::dsr::{Kind, Status};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/requests", Rule::Staff(READ), list);
}

/// One request of the list, ready to show.
pub struct Line {
    pub id: i64,
    pub kind: &'static str,
    pub channel: &'static str,
    pub received: String,
    pub due: String,
    /// The label key of "overdue" or "due soon" for pending requests near their due date.
    pub urgency: Option<&'static str>,
    pub overdue: bool,
    pub status: &'static str,
    pub handler: String,
    pub subject: String,
    pub self_service: bool,
}

#[derive(Template)]
#[template(path = "console/requests.html")]
struct ListPage {
    page: Chrome,
    lines: Vec<Line>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    due: String,
    filtered: bool,
    truncated: bool,
    may_edit: bool,
}

#[derive(Deserialize)]
struct Query {
    status: Option<String>,
    kind: Option<String>,
    due: Option<String>,
}

fn parse<T>(
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>, AppError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(format!("unknown {what} `{v}`"))),
    }
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    require(&session.actor, READ)?;
    let q = query.into_inner();
    let status = parse(q.status.as_deref(), Status::parse, "status")?;
    let kind = parse(q.kind.as_deref(), Kind::parse, "type")?;
    let due = q.due.unwrap_or_default();
    let (overdue, soon) = match due.as_str() {
        "" => (false, false),
        "overdue" => (true, false),
        "soon" => (false, true),
        other => {
            return Err(AppError::BadRequest(format!(
                "unknown due filter `{other}`"
            )));
        }
    };
    let filter = Filter {
        status,
        kind,
        overdue,
        soon,
    };
    let me = session.actor.staff;
    let lines = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let today = now.date();
            let entry = Entry::new(
                now,
                me,
                Action::RequestViewed,
                audit::Object::new(audit::ObjectKind::Request, None),
            );
            audit::before(conn, &st.ring, &entry, |conn| {
                let mut lines = Vec::new();
                for r in dsr::list(conn, &filter, today, LIST_LIMIT + 1)? {
                    let opened = r.open(&st.ring)?;
                    lines.push(Line {
                        id: r.id.0,
                        kind: r.kind.label_key(),
                        channel: r.channel.label_key(),
                        received: date(r.received_at.date()),
                        due: date(r.due_on),
                        urgency: r
                            .status
                            .pending()
                            .then(|| urgency(r.due_on, today))
                            .and_then(|u| match u {
                                Urgency::Overdue => Some("requests.urgency.overdue"),
                                Urgency::Soon => Some("requests.urgency.soon"),
                                Urgency::Later => None,
                            }),
                        overdue: r.overdue(today),
                        status: r.status.label_key(),
                        handler: staff_name(conn, r.handler)?,
                        subject: opened.subject.unwrap_or_default(),
                        self_service: r.channel == crate::dsr::Channel::ChatSelfService,
                    });
                }
                Ok(lines)
            })
        })
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let mut lines = lines;
    let truncated = lines.len() > usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    lines.truncate(usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX));
    let view = ListPage {
        statuses: choices(
            &t,
            Status::ALL.iter().copied(),
            Status::as_str,
            Status::label_key,
            status,
        ),
        kinds: choices(
            &t,
            Kind::ALL.iter().copied(),
            Kind::as_str,
            Kind::label_key,
            kind,
        ),
        filtered: status.is_some() || kind.is_some() || !due.is_empty(),
        due,
        lines,
        truncated,
        may_edit: super::reaches(&session.actor, crate::access::Level::Edit),
        page,
    };
    view.page.render(&view, StatusCode::OK)
}
