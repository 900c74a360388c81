//! The visitor side: widget settings, the loader script, the iframe page and the visitor
//! websocket. Never imports staff code (`console/`, `access/`).

mod capture;
mod consent;
mod delivery;
pub mod downloads;
mod intake;
pub mod lang;
pub mod limits;
pub mod my_data;
pub mod notice;
pub mod operator;
mod pages;
pub mod privacy;
pub mod protocol;
pub mod route_rules;
mod self_service;
pub mod settings;
mod socket;
// The pure parser lives in `http` so that staff code can use it without importing the
// visitor side.
use crate::http::user_agent;
mod ws;

pub fn mount(r: &mut crate::http::routes::Routes<'_>) {
    pages::mount(r);
    ws::mount(r);
    downloads::mount(r);
    route_rules::mount(r);
    operator::mount(r);
}
