//! Builds the actix application: every area mounts its routes here, in one list, through
//! the route registry, which puts `access::require` in front of every staff route.

use crate::http::routes::{RouteInfo, Routes};
use crate::state::AppState;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, Error, HttpResponse, web};

pub fn build(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::FormConfig::default().limit(64 * 1024))
        .wrap(crate::http::headers::security_headers())
        .wrap(from_fn(crate::http::request_log::log_request))
        .wrap(from_fn(crate::metrics::track))
        .configure(|cfg| mount(&mut Routes::mounting(cfg)))
        .default_service(web::to(not_found))
}

/// Every route of the app, each with its rule, through the registry (`http::routes`).
pub fn mount(r: &mut Routes<'_>) {
    crate::http::ops::mount(r);
    crate::console::mount(r);
    crate::widget::mount(r);
}

/// The route table: exactly what `build` mounts, for the route × role tests.
pub fn routes() -> Vec<RouteInfo> {
    let mut r = Routes::recording();
    mount(&mut r);
    r.into_table()
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("Not found\n")
}
