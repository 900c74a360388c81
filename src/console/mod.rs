//! Staff pages (askama): login, dashboard, language switch. Each handler parses input,
//! calls `access::require`, calls a domain function and renders.

mod assets;
mod csrf;
mod dashboard;
mod login;
mod page;
mod session;
mod widgets;

pub use session::{Authenticated, SESSION_COOKIE};

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    assets::configure(cfg);
    login::configure(cfg);
    dashboard::configure(cfg);
    page::configure(cfg);
    widgets::configure(cfg);
}
