//! The register of data-subject requests (issue 8): recording, listing, showing and
//! changing requests with their audit entries (register.rs), the subject encrypted at rest
//! and the roles that reach it (access.rs), the dashboard panel (dashboard.rs), requests
//! the chat's self-service makes by itself (self_service.rs), and the pages in Chromium
//! (browser.rs).

mod access;
mod browser;
mod dashboard;
mod register;
mod self_service;

use crate::support::TestServer;
use crate::support::client::Client;
use plauder::clock::Clock as _;
use plauder::db::dsr::{self, NewRequest, RequestId};
use plauder::dsr::{Channel, Kind};

/// Records a request through the form; returns its id.
pub fn record(c: &mut Client, fields: &[(&str, &str)]) -> i64 {
    let csrf = c.get("/console/requests/new").csrf();
    let mut all = fields.to_vec();
    all.push(("csrf", &csrf));
    let r = c.post("/console/requests", &all);
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.location();
    let rest = location.strip_prefix("/console/requests/").unwrap();
    rest.split('?').next().unwrap().parse().unwrap()
}

/// A request stored directly, received `days_ago` days before the server's today.
pub fn seed(server: &TestServer, kind: Kind, subject: &str, days_ago: i64) -> RequestId {
    let now = server.clock.naive();
    let received =
        (now.date() - chrono::Days::new(days_ago.unsigned_abs())).and_time(chrono::NaiveTime::MIN);
    let new = NewRequest {
        kind,
        channel: Channel::Email,
        received,
        handler: None,
        subject,
        contact: None,
        notes: None,
    };
    dsr::create(&mut server.conn(), &server.state.ring, &new, now).unwrap()
}

/// The date `days_ago` days before the server's today, as the form takes it.
pub fn days_ago(server: &TestServer, days: u64) -> chrono::NaiveDate {
    server.clock.naive().date() - chrono::Days::new(days)
}
