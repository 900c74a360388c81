//! HTTP plumbing shared by every area: security headers, the request log, client addresses,
//! health endpoints. Knows no domain logic.

pub mod client;
pub mod headers;
pub mod ops;
pub mod request_log;
pub mod routes;
pub mod user_agent;
pub mod ws;
