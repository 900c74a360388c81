//! Static files compiled into the binary; nothing is loaded from anywhere else.

use actix_web::{HttpResponse, get, web};

const APP_CSS: &str = include_str!("../../templates/static/app.css");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(app_css);
}

#[get("/static/app.css")]
async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(APP_CSS)
}
