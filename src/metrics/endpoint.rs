//! The metrics listener: plain HTTP, `GET /metrics` only, one worker. It is a listener of
//! its own, never a route on the public HTTPS port, so where it binds (loopback by default
//! once switched on) and the firewall decide who may scrape.

use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use std::net::SocketAddr;

/// Binds `addr`; the returned server must be awaited (or spawned) to serve.
pub fn start(state: AppState, addr: &str) -> std::io::Result<(SocketAddr, Server)> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/metrics", web::get().to(metrics))
            .default_service(web::to(|| async {
                HttpResponse::NotFound()
                    .content_type("text/plain; charset=utf-8")
                    .body("Not found: metrics are at /metrics\n")
            }))
    })
    .workers(1)
    .bind(addr)?;
    let bound =
        server.addrs().first().copied().ok_or_else(|| {
            std::io::Error::other(format!("metrics listener {addr} bound nothing"))
        })?;
    Ok((bound, server.run()))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let not_after = state
        .certs
        .summary()
        .map(|s| s.not_after.and_utc().timestamp());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(super::render::render(&state.metrics, not_after))
}
