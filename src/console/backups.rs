//! `/admin/backups` (settings:read): the backups in the backup directory with time, size
//! and verify state, a warning when the newest is older than two days, and a "create backup
//! now" button (settings:edit, CSRF; audited as a `job_run` on the object `job` before it
//! starts: no entry, no backup). There is deliberately no download: a backup holds every
//! conversation (personal fields still encrypted, but with the key ring export it opens);
//! backups leave the machine by the administrator's own copy job, not through the browser.

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::audit::{self, Action, Entry, ObjectKind, Outcome};
use crate::backup::{self, records, status};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const READ: Permission = Permission::Read(Area::Settings);
const EDIT: Permission = Permission::Edit(Area::Settings);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/backups", Rule::Staff(READ), show);
    r.post("/admin/backups/create", Rule::Staff(EDIT), create);
}

/// One backup as the page shows it.
pub struct Row {
    pub name: String,
    pub created: String,
    pub size: String,
    /// i18n key of the verify state, and whether it is bad.
    pub state: &'static str,
    pub bad: bool,
    pub checked: String,
}

#[derive(Template)]
#[template(path = "console/backups.html")]
struct BackupsPage {
    page: Chrome,
    rows: Vec<Row>,
    dir: String,
    last: String,
    stale: bool,
    keep: String,
    failed: Option<String>,
    done: Option<&'static str>,
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn when(t: chrono::NaiveDateTime) -> String {
    format!("{} UTC", t.format("%Y-%m-%d %H:%M"))
}

#[derive(Deserialize)]
struct Query {
    done: Option<String>,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let dir = state.config.backup_dir();
    let (listed, runs, recent) = state
        .blocking(move |conn, _| {
            let listed = backup::list(&dir).unwrap_or_default();
            let names: Vec<String> = listed.iter().map(|l| l.name.clone()).collect();
            let runs = records::for_files(conn, &names)?;
            let recent = records::recent(conn, 1)?;
            Ok((listed, runs, recent))
        })
        .await?;
    let fresh = status::of_listed(&listed, state.clock.naive());
    let rows = listed
        .into_iter()
        .map(|l| {
            let run = runs.iter().find(|r| r.file_name == l.name);
            let (state, bad) = match (l.created, run.and_then(|r| r.verify_ok)) {
                (None, _) => ("backup.state.damaged", true),
                (_, Some(true)) => ("backup.state.verified", false),
                (_, Some(false)) => ("backup.state.failed", true),
                (_, None) if run.is_some() => ("backup.state.unverified", false),
                _ => ("backup.state.unrecorded", false),
            };
            Row {
                created: l.created.map(when).unwrap_or_default(),
                size: size(l.bytes),
                state,
                bad,
                checked: run
                    .and_then(|r| r.verified_at)
                    .map(when)
                    .unwrap_or_default(),
                name: l.name,
            }
        })
        .collect();
    let failed = recent
        .into_iter()
        .next()
        .filter(|r| !r.ok)
        .map(|r| format!("{}: {}", when(r.created_at), r.error.unwrap_or_default()));
    let page = Chrome::new(&req, Some(&session))?;
    let keep = page.t.fill(
        "backup.keep",
        &[
            ("daily", &state.config.backup.keep_daily.to_string()),
            ("weekly", &state.config.backup.keep_weekly.to_string()),
        ],
    );
    let view = BackupsPage {
        page,
        rows,
        dir: state.config.backup_dir().display().to_string(),
        last: fresh.last.map(when).unwrap_or_default(),
        stale: fresh.stale,
        keep,
        failed,
        done: match query.done.as_deref() {
            Some("created") => Some("backup.done.created"),
            Some("failed") => Some("backup.done.failed"),
            _ => None,
        },
    };
    view.page.render(&view, StatusCode::OK)
}

#[derive(Deserialize)]
struct CreateForm {
    csrf: Option<String>,
}

fn entry(state: &AppState, session: &Authenticated) -> Entry {
    Entry::new(
        state.clock.naive(),
        session.actor.staff,
        Action::JobRun,
        audit::Object::new(ObjectKind::Job, None),
    )
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    super::csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let started = entry(&state, &session);
    state
        .blocking(move |conn, st| audit::append(conn, &st.ring, &started).map(|_| ()))
        .await?;
    let made = state
        .blocking(|_, st| {
            let made = backup::create_recorded(
                &st.config,
                &st.db,
                &st.ring,
                st.clock.now(),
                records::Trigger::Admin,
            )
            .and_then(|(_, verified)| verified.map(|_| ()))
            .and_then(|()| {
                backup::rotate::rotate(&st.config.backup_dir(), &st.config.backup).map(|_| ())
            });
            Ok(made)
        })
        .await?;
    let done = match made {
        Ok(()) => "created",
        Err(e) => {
            tracing::error!(error = %e, "backup from the admin page failed");
            let failed = entry(&state, &session).outcome(Outcome::Failed);
            state
                .blocking(move |conn, st| audit::append(conn, &st.ring, &failed).map(|_| ()))
                .await?;
            "failed"
        }
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/admin/backups?done={done}")))
        .finish())
}

/// The dashboard's warning: `Some(last backup time or empty)` when backups are stale.
pub fn dashboard_warning(state: &AppState) -> Option<String> {
    let fresh = status::freshness(&state.config.backup_dir(), state.clock.naive());
    fresh
        .stale
        .then(|| fresh.last.map(when).unwrap_or_default())
}
