//! plauder: a self-hosted live chat that keeps every conversation on the company's own
//! hardware. See ARCHITECTURE.md for the folder map and the path of a request.

pub mod access;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod crypto;
pub mod db;
pub mod dsr;
pub mod error;
pub mod export;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod privacy;
pub mod server;
pub mod setup;
pub mod state;
pub mod tls;
pub mod widget;
