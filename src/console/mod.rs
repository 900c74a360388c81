//! Staff pages (askama): login, dashboard, language switch. Each handler parses input,
//! calls `access::require`, calls a domain function and renders.

mod assets;
mod canned;
mod conversation_privacy;
mod csrf;
mod dashboard;
mod identity;
mod inbox;
mod live;
mod live_protocol;
mod live_socket;
mod login;
mod masking;
mod page;
mod router;
mod router_geoip;
mod session;
mod widget_notices;
mod widgets;

pub use session::{Authenticated, SESSION_COOKIE};

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    assets::configure(cfg);
    login::configure(cfg);
    dashboard::configure(cfg);
    page::configure(cfg);
    widgets::configure(cfg);
    widget_notices::configure(cfg);
    masking::configure(cfg);
    live::configure(cfg);
    inbox::configure(cfg);
    canned::configure(cfg);
    router::configure(cfg);
    router_geoip::configure(cfg);
}
