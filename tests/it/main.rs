#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on any unexpected error"
)]
//! One integration-test binary: the real server on a real port, real HTTPS, real SQLite
//! and a real PostgreSQL.

mod access;
mod account;
mod account_browser;
mod audit;
mod auth;
mod browser;
mod cli;
mod consent;
mod consent_browser;
mod console;
mod console_pages;
mod durability;
mod identity;
mod log_privacy;
mod masking;
mod metrics;
mod privacy_admin_browser;
mod privacy_mode;
mod router;
mod self_service;
mod self_service_browser;
mod self_service_erase;
mod storage;
mod support;
mod tls;
pub mod visitor;
mod visitor_resume;
mod visitor_slow;
mod web;
mod widget_lang;
mod widget_size;
mod widgets;
mod writer_lock;
