//! Liveness and readiness for load balancers and systemd.

use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::{HttpResponse, web};

pub fn mount(r: &mut Routes<'_>) {
    r.get("/healthz", Rule::Public, healthz);
    r.get("/readyz", Rule::Public, readyz);
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    let ready = web::block(move || db.ping()).await.unwrap_or(false);
    if ready {
        HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unavailable\n")
    }
}
