//! Static files compiled into the binary; nothing is loaded from anywhere else.

use crate::http::routes::{Routes, Rule};
use actix_web::HttpResponse;

const APP_CSS: &str = include_str!("../../templates/static/app.css");
const CONSOLE_JS: &str = include_str!("../../templates/static/console.js");

pub fn mount(r: &mut Routes<'_>) {
    r.get("/static/app.css", Rule::Public, app_css);
    r.get("/static/console.js", Rule::Public, console_js);
}

async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(APP_CSS)
}

async fn console_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(CONSOLE_JS)
}
