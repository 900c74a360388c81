//! Prometheus metrics for IT: HTTP requests by method, route pattern and status with latency
//! histograms, open websockets by kind, messages stored by sender, the TLS certificate's
//! expiry. Served as text on a listener of its own (`metrics_listen`, off by default).
//!
//! What it must never do: put personal data or unbounded values into a label. Labels are
//! route patterns (`/admin/canned/{id}/edit`, never the raw path), a fixed set of methods,
//! status codes and fixed kinds. Counters only count what really happened. Scheduled jobs:
//! last success, missed tick and failures per job (`jobs`).

mod endpoint;
mod histogram;
mod http;
mod jobs;
mod render;

pub use endpoint::start as start_endpoint;
pub use http::track;

use crate::db::messages::Sender;
use histogram::Histogram;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Kinds of websocket, by the route that upgraded the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketKind {
    Visitor,
    Operator,
    Other,
}

impl SocketKind {
    const ALL: [SocketKind; 3] = [Self::Visitor, Self::Operator, Self::Other];

    fn from_route(route: &str) -> Self {
        match route {
            "/widget/ws" => Self::Visitor,
            "/console/ws" => Self::Operator,
            _ => Self::Other,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Operator => "operator",
            Self::Other => "other",
        }
    }
}

const SENDERS: [Sender; 3] = [Sender::Visitor, Sender::Operator, Sender::Note];

/// Method, route pattern, status.
type RequestKey = (&'static str, String, u16);

#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, u64>>,
    /// By method and route pattern.
    latency: Mutex<BTreeMap<(&'static str, String), Histogram>>,
    sockets: [AtomicI64; 3],
    messages: [AtomicU64; 3],
    /// Scheduled jobs (`crate::jobs`).
    pub jobs: jobs::JobMetrics,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// One finished request; `route` is the matched pattern or "unmatched".
    pub fn request(&self, method: &'static str, route: &str, status: u16, took: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method, route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            latency
                .entry((method, route.to_string()))
                .or_default()
                .observe(took.as_secs_f64());
        }
    }

    fn socket_index(kind: SocketKind) -> usize {
        match kind {
            SocketKind::Visitor => 0,
            SocketKind::Operator => 1,
            SocketKind::Other => 2,
        }
    }

    fn socket_opened(&self, kind: SocketKind) {
        self.sockets[Self::socket_index(kind)].fetch_add(1, Ordering::Relaxed);
    }

    fn socket_closed(&self, kind: SocketKind) {
        self.sockets[Self::socket_index(kind)].fetch_sub(1, Ordering::Relaxed);
    }

    pub fn open_sockets(&self, kind: SocketKind) -> i64 {
        self.sockets[Self::socket_index(kind)].load(Ordering::Relaxed)
    }

    /// A message committed to the database (the writer calls this after its commit).
    pub fn message_stored(&self, sender: Sender) {
        let index = SENDERS.iter().position(|s| *s == sender).unwrap_or(0);
        self.messages[index].fetch_add(1, Ordering::Relaxed);
    }
}
