//! One log line per request: method, path without query, status, time. Never the client
//! address, query string or body, unless `log.personal_data` is switched on for debugging.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::time::Instant;

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let personal = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .is_some_and(|s| s.config.log.personal_data);
    let client = personal.then(|| {
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    });
    let response = next.call(req).await?;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match client {
        Some(client) => {
            tracing::info!(target: "plauder::http", %method, %path, status, ms, %client, "request")
        }
        None => tracing::info!(target: "plauder::http", %method, %path, status, ms, "request"),
    }
    Ok(response)
}
