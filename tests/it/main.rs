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
mod approvals;
mod audit;
mod auth;
mod backup;
mod browser;
mod cli;
mod consent;
mod consent_browser;
mod console;
mod console_pages;
mod contacts;
mod dsr_browser;
mod durability;
mod export;
mod identity;
mod log_privacy;
mod mail;
mod masking;
mod metrics;
mod nav_browser;
mod privacy_admin_browser;
mod privacy_mode;
mod requests;
mod retention;
mod router;
mod search;
mod self_service;
mod self_service_browser;
mod self_service_erase;
mod statistics;
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
