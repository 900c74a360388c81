//! Staff pages (askama): login, dashboard, language switch. Each handler parses input,
//! calls `access::require`, calls a domain function and renders.

mod account;
mod account_admin;
mod account_appearance;
pub mod account_second_factor;
mod assets;
mod audit;
mod canned;
mod conversation_privacy;
mod csrf;
mod dashboard;
mod identity;
mod inbox;
mod live;
mod live_access;
mod live_protocol;
mod live_socket;
mod login;
mod login_second;
mod masking;
mod page;
mod roles;
mod router;
mod router_geoip;
pub mod session;
mod staff;
mod teams;
mod widget_notices;
mod widgets;

pub use live_protocol::COMMAND_KINDS;
pub use session::{Authenticated, SESSION_COOKIE};

pub fn mount(r: &mut crate::http::routes::Routes<'_>) {
    assets::mount(r);
    login::mount(r);
    login_second::mount(r);
    dashboard::mount(r);
    page::mount(r);
    widgets::mount(r);
    widget_notices::mount(r);
    masking::mount(r);
    live::mount(r);
    inbox::mount(r);
    canned::mount(r);
    router::mount(r);
    router_geoip::mount(r);
    staff::mount(r);
    roles::mount(r);
    teams::mount(r);
    audit::mount(r);
    account::mount(r);
    account_second_factor::mount(r);
    account_admin::mount(r);
}
