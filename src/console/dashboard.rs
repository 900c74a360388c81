//! The server overview: what this plauder is and how it is set up.

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Permission};
use crate::db::staff::{self, Role};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(dashboard);
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
}

#[get("/admin")]
async fn dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ViewDashboard)?;
    let staff_count = state.blocking(|conn, _| staff::count(conn)).await?;
    let page = Chrome::new(&req, Some(&session))?;
    let cert = state.certs.summary();
    let ring = state.ring.info();
    let role_key = match session.info.staff.role {
        Role::Admin => "role.admin",
        Role::Operator => "role.operator",
    };
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
        role: page.t.get(role_key).to_string(),
        page,
    };
    let html = view.render()?;
    Ok(view.page.respond(HttpResponse::Ok(), html))
}
