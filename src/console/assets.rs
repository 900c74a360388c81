//! Static files compiled into the binary; nothing is loaded from anywhere else.

use actix_web::{HttpResponse, get, web};

const APP_CSS: &str = include_str!("../../templates/static/app.css");
const CONSOLE_JS: &str = include_str!("../../templates/static/console.js");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(app_css).service(console_js);
}

#[get("/static/app.css")]
async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(APP_CSS)
}

#[get("/static/console.js")]
async fn console_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(CONSOLE_JS)
}
