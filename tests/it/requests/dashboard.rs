//! Overdue and soon-due requests on the dashboard of those who handle them (the contacts
//! area for editing, scope "all"): counts and links; nothing of it for an operator.

use super::seed;
use crate::both_backends;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use plauder::clock::Clock as _;
use plauder::db::dsr::{self, Change};
use plauder::db::staff::Role;
use plauder::dsr::{Kind, Status};

/// The number a dashboard link with this id shows.
fn count(body: &str, id: &str) -> i64 {
    let marker = format!("id=\"{id}\">");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} in {body}"))
        + marker.len();
    body[start..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

both_backends!(overdue_requests_show_on_a_handlers_dashboard_only, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "dora", Role::Dpo, None);
    add_staff(&server, "olga", Role::Operator, None);
    let mut dora = server.login("dora", GOOD_PASSWORD);
    let quiet = dora.get("/admin");
    assert!(
        quiet.body.contains("id=\"requests-panel\""),
        "the handler sees the panel"
    );
    assert!(quiet.body.contains("No request is overdue"));

    // Received 40 days ago: overdue. 25 days ago: due within 7 days. 2 days ago: later.
    let overdue = seed(&server, Kind::Erasure, "Spät", 40);
    let soon = seed(&server, Kind::Access, "Bald", 25);
    let later = seed(&server, Kind::Access, "Später", 2);
    // Answered long ago: overdue no more.
    let done = seed(&server, Kind::Access, "Erledigt", 60);
    let change = Change {
        status: Status::Answered,
        refusal_reason: None,
        handler: None,
        contact: None,
        extension: None,
        notes: None,
    };
    let now = server.clock.naive();
    assert!(dsr::update(&mut server.conn(), &server.state.ring, done, &change, now).unwrap());

    let page = dora.get("/admin").body;
    assert_eq!(count(&page, "requests-overdue"), 1, "{page}");
    assert_eq!(count(&page, "requests-soon"), 1);
    let panel = &page[page.find("id=\"requests-panel\"").unwrap()..];
    for (id, shown) in [(overdue, true), (soon, true), (later, false), (done, false)] {
        let link = format!("/console/requests/{}\"", id.0);
        assert_eq!(panel.contains(&link), shown, "{id:?}");
    }
    assert!(
        !panel.contains("Spät"),
        "no personal data on the (unaudited) dashboard"
    );
    assert!(page.contains("href=\"/console/requests?due=overdue\""));

    let mut olga = server.login("olga", GOOD_PASSWORD);
    let theirs = olga.get("/admin");
    assert_eq!(theirs.status, 200);
    assert!(
        !theirs.body.contains("requests-panel"),
        "not for an operator"
    );
    assert!(
        !theirs
            .body
            .contains(&format!("/console/requests/{}", overdue.0))
    );
});
