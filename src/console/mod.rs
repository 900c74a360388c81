//! Staff pages (askama): login, dashboard, language switch. Each handler parses input,
//! calls `access::require`, calls a domain function and renders.

mod account;
mod account_admin;
mod account_appearance;
pub mod account_second_factor;
mod approvals;
mod assets;
mod audit;
mod backups;
mod canned;
mod contacts;
mod conversation_delete;
mod conversation_privacy;
mod csrf;
mod dashboard;
mod exports;
mod identity;
mod inbox;
mod inbox_reason;
mod live;
mod live_access;
mod live_protocol;
mod live_socket;
mod login;
mod login_second;
mod mail_admin;
mod masking;
mod page;
mod reason_form;
mod requests;
mod retention;
mod roles;
mod router;
mod router_geoip;
mod search;
pub mod session;
mod settings;
mod staff;
mod staff_password;
mod statistics;
mod teams;
mod transcript_mail;
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
    // Before inbox: its `/console/conversations/{id}` would take "export" for an id.
    exports::mount(r);
    // Also before inbox, for `/console/conversations/delete`.
    conversation_delete::mount(r);
    contacts::mount(r);
    inbox::mount(r);
    transcript_mail::mount(r);
    search::mount(r);
    canned::mount(r);
    router::mount(r);
    router_geoip::mount(r);
    staff::mount(r);
    staff_password::mount(r);
    roles::mount(r);
    teams::mount(r);
    audit::mount(r);
    statistics::mount(r);
    settings::mount(r);
    mail_admin::mount(r);
    backups::mount(r);
    account::mount(r);
    account_second_factor::mount(r);
    account_admin::mount(r);
    requests::mount(r);
    retention::mount(r);
    approvals::mount(r);
}
