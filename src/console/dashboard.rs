//! The server overview: what this plauder is and how it is set up.

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Object, Permission};
use crate::db::staff;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin", Rule::Staff(Permission::SignedIn), dashboard);
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    page: Chrome,
    version: &'static str,
    backend: &'static str,
    public_url: String,
    cert_subject: String,
    cert_expiry: String,
    ring_id: String,
    ring_detail: String,
    staff_count: i64,
    role: String,
    /// Overdue and soon-due data-subject requests, for those who handle them.
    requests: Option<super::requests::Panel>,
    /// Backups older than two days (`Some(last time, or empty for none)`), for settings readers.
    backup_stale: Option<String>,
    /// Failed or missed scheduled jobs, for those who may read settings.
    jobs: Option<super::retention::Panel>,
}

async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    let staff_count = state.blocking(|conn, _| staff::count(conn)).await?;
    let actor = session.actor.clone();
    let requests = state
        .blocking(move |conn, st| super::requests::panel(conn, &actor, st.clock.naive().date()))
        .await?;
    let backup_stale = state
        .blocking(|_, st| Ok(super::backups::dashboard_warning(st)))
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let (actor, t) = (session.actor.clone(), page.t);
    let jobs = state
        .blocking(move |conn, st| super::retention::panel(conn, &actor, st, &t))
        .await?;
    let cert = state.certs.summary();
    let ring = state.ring.info();
    let view = DashboardPage {
        version: env!("CARGO_PKG_VERSION"),
        backend: state.db.backend().name(),
        public_url: state.config.public_url(),
        cert_subject: cert.as_ref().map(|c| c.subject.clone()).unwrap_or_default(),
        cert_expiry: cert
            .map(|c| format!("{} UTC", c.not_after.format("%Y-%m-%d %H:%M")))
            .unwrap_or_default(),
        ring_detail: page.t.fill(
            "dashboard.key_ring_detail",
            &[
                ("key", &ring.active_key.to_string()),
                ("count", &ring.key_count.to_string()),
            ],
        ),
        ring_id: ring.ring_id,
        staff_count,
        requests,
        backup_stale,
        jobs,
        role: match session.actor.builtin {
            Some(b) => page.t.get(b.label_key()).to_string(),
            None => session.actor.role_name.clone(),
        },
        page,
    };
    view.page.render(&view, StatusCode::OK)
}
