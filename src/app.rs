//! Builds the actix application: every area mounts its routes here, in one list.

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
        .configure(crate::http::ops::configure)
        .configure(crate::console::configure)
        .configure(crate::widget::configure)
        .default_service(web::to(not_found))
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("Not found\n")
}
