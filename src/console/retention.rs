//! `/admin/retention` (settings: read): each scheduled job with its schedule, next run and
//! last result, the deletion calendar (conversations per widget expiring within 7 and 30
//! days) and the latest runs; and the dashboard's panel of failed or missed jobs. Counts,
//! job words and widget names only: nothing personal, so nothing to audit here.

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Actor, Area, Level, Object, Permission};
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::jobs::Counts;
use crate::jobs::calendar::{self, WidgetCalendar};
use crate::jobs::run_record::{self, RunRow};
use crate::jobs::status::{self, JobStatus};
use crate::state::AppState;
use crate::widget::privacy::Retention;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

const READ: Permission = Permission::Read(Area::Settings);
const RECENT: i64 = 20;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/retention", Rule::Staff(READ), show);
}

fn time(t: NaiveDateTime) -> String {
    format!("{} UTC", t.format("%Y-%m-%d %H:%M"))
}

/// The i18n key of a kind of removed rows; `None` for a word this page does not know.
fn kind_key(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "conversations" => "retention.kind.conversations",
        "messages" => "retention.kind.messages",
        "consents" => "retention.kind.consents",
        "contacts" => "retention.kind.contacts",
        "technical" => "retention.kind.technical",
        "offline" => "retention.kind.offline",
        "withdrawn" => "retention.kind.withdrawn",
        "unconsented" => "retention.kind.unconsented",
        "sessions" => "retention.kind.sessions",
        "login_challenges" => "retention.kind.login_challenges",
        "login_throttle" => "retention.kind.login_throttle",
        "audit_entries" => "retention.kind.audit_entries",
        "requests" => "retention.kind.requests",
        "request_actions" => "retention.kind.request_actions",
        "backups_rotated" => "retention.kind.backups_rotated",
        _ => return None,
    })
}

/// "Conversations 3 · Messages 12" in the page's language; "nothing" when all are zero.
fn removed(t: &Tr, counts: &Counts) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(kind, n)| format!("{} {n}", kind_key(kind).map_or(kind, |k| t.get(k))))
        .collect();
    if parts.is_empty() {
        t.get("retention.removed_none").to_string()
    } else {
        parts.join(" · ")
    }
}

fn state_key(status: &str) -> &'static str {
    match status {
        "ok" => "retention.state.ok",
        "failed" => "retention.state.failed",
        "running" => "retention.state.running",
        _ => "retention.state.unknown",
    }
}

fn cause_key(cause: &str) -> &'static str {
    match cause {
        "schedule" => "retention.cause.schedule",
        "catch_up" => "retention.cause.catch_up",
        "manual" => "retention.cause.manual",
        _ => "retention.state.unknown",
    }
}

/// One job's line: words are i18n keys, times already formatted.
pub struct JobLine {
    pub name: &'static str,
    pub label: &'static str,
    pub schedule: String,
    pub next: String,
    /// "ok", "failed", "running" or "" (never ran), and its i18n key.
    pub state: String,
    pub state_key: &'static str,
    pub last: String,
    pub removed: String,
    pub last_success: String,
    pub missed: Option<String>,
    pub error: Option<String>,
}

fn job_line(t: &Tr, s: &JobStatus) -> JobLine {
    JobLine {
        name: s.job.name(),
        label: s.job.label_key(),
        schedule: s.schedule.clone(),
        next: s.next.map(time).unwrap_or_default(),
        state: s
            .last
            .as_ref()
            .map(|r| r.status.clone())
            .unwrap_or_default(),
        state_key: state_key(s.last.as_ref().map_or("", |r| r.status.as_str())),
        last: s
            .last
            .as_ref()
            .map(|r| time(r.started_at))
            .unwrap_or_default(),
        removed: s
            .last
            .as_ref()
            .map(|r| removed(t, &r.removed))
            .unwrap_or_default(),
        last_success: s
            .last_success
            .as_ref()
            .and_then(|r| r.finished_at)
            .map(time)
            .unwrap_or_default(),
        missed: s.missed.map(time),
        error: s.last.as_ref().and_then(|r| r.error.clone()),
    }
}

pub struct RunLine {
    pub label: &'static str,
    pub cause: &'static str,
    pub started: String,
    pub finished: String,
    pub node: String,
    pub state: String,
    pub state_key: &'static str,
    pub removed: String,
    pub error: String,
}

fn run_line(t: &Tr, r: &RunRow) -> RunLine {
    RunLine {
        label: r.job.label_key(),
        cause: cause_key(&r.cause),
        started: time(r.started_at),
        finished: r.finished_at.map(time).unwrap_or_default(),
        node: r.node.clone(),
        state: r.status.clone(),
        state_key: state_key(&r.status),
        removed: removed(t, &r.removed),
        error: r.error.clone().unwrap_or_default(),
    }
}

pub struct CalendarLine {
    pub widget: String,
    /// Months, or `None` for never.
    pub months: Option<u8>,
    pub due: i64,
    pub week: i64,
    pub month: i64,
}

fn calendar_line(c: WidgetCalendar) -> CalendarLine {
    CalendarLine {
        months: match c.retention {
            Retention::Months(m) => Some(m),
            Retention::Never => None,
        },
        widget: c.widget,
        due: c.due,
        week: c.week,
        month: c.month,
    }
}

#[derive(Template)]
#[template(path = "console/retention.html")]
struct RetentionPage {
    page: Chrome,
    jobs: Vec<JobLine>,
    calendar: Vec<CalendarLine>,
    runs: Vec<RunLine>,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let (statuses, cal, runs) = state
        .blocking(|conn, st| {
            let now = st.clock.now();
            Ok((
                status::all(conn, &st.config.jobs, now)?,
                calendar::calendar(conn, now.naive_utc())?,
                run_record::recent(conn, RECENT)?,
            ))
        })
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let view = RetentionPage {
        page,
        jobs: statuses.iter().map(|s| job_line(&t, s)).collect(),
        calendar: cal.into_iter().map(calendar_line).collect(),
        runs: runs.iter().map(|r| run_line(&t, r)).collect(),
    };
    view.page.render(&view, StatusCode::OK)
}

/// The dashboard's panel: jobs whose newest run failed or whose last tick was missed, for
/// those who may read settings; `None` when there is nothing to show.
pub struct Panel {
    pub jobs: Vec<JobLine>,
}

pub fn panel(
    conn: &mut DbConn,
    actor: &Actor,
    state: &AppState,
    t: &Tr,
) -> DbResult<Option<Panel>> {
    if actor.grant(Area::Settings).level < Level::Read {
        return Ok(None);
    }
    let all = status::all(conn, &state.config.jobs, state.clock.now())?;
    let jobs: Vec<JobLine> = all
        .iter()
        .filter(|s| s.attention())
        .map(|s| job_line(t, s))
        .collect();
    Ok((!jobs.is_empty()).then_some(Panel { jobs }))
}
