//! What the register keeps and who reaches it: the typed subject reference and notes are
//! nowhere in the database's bytes (the probe first finds a marker planted in a plain
//! column); roles without the contacts area at scope "all" get 403 on every page, and no
//! link to it.

use super::{days_ago, record, seed};
use crate::both_backends;
use crate::support::scan::{anywhere, database_bytes};
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use plauder::clock::Clock as _;
use plauder::db::staff::Role;
use plauder::dsr::Kind;

both_backends!(the_subject_and_notes_are_encrypted_at_rest, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "dora", Role::Dpo, None);
    let mut c = server.login("dora", GOOD_PASSWORD);
    let today = days_ago(&server, 0).format("%Y-%m-%d").to_string();
    let subject = "Zacharias Quellenberg zq-7731@example.de";
    let notes = "Notiz-Quellenberg-8842";
    let id = record(
        &mut c,
        &[
            ("kind", "access"),
            ("channel", "phone"),
            ("received", &today),
            ("subject", subject),
            ("notes", notes),
        ],
    );
    // A marker in a plain column (the action word), stored the honest way.
    let marker = "DsrPlainMarker5519";
    let now = server.clock.naive();
    assert!(
        plauder::db::dsr::link_action(&mut server.conn(), id, marker, "contact", 1, now).unwrap()
    );
    let bytes = database_bytes(&server, db);
    assert!(anywhere(&bytes, marker), "the probe finds a plain value");
    for secret in ["Quellenberg", "zq-7731@example.de", notes] {
        assert!(
            !anywhere(&bytes, secret),
            "{secret} is stored in plain text"
        );
    }
    // And it still reads back for staff.
    assert!(
        c.get(&format!("/console/requests/{id}"))
            .body
            .contains(subject)
    );
});

both_backends!(roles_outside_the_register_get_403, |db| {
    let server = TestServer::start(db);
    let id = seed(&server, Kind::Access, "Jemand", 3).0;
    add_staff(&server, "dora", Role::Dpo, None);
    add_staff(&server, "olga", Role::Operator, None);
    add_staff(&server, "sven", Role::Supervisor, None);
    add_staff(&server, "aud", Role::Auditor, None);
    let pages = [
        "/console/requests".to_string(),
        "/console/requests/new".to_string(),
        format!("/console/requests/{id}"),
    ];
    let mut dora = server.login("dora", GOOD_PASSWORD);
    for p in &pages {
        assert_eq!(dora.get(p).status, 200, "dora {p}");
    }
    assert!(
        dora.get("/admin")
            .body
            .contains("href=\"/console/requests\"")
    );
    // Operators and supervisors read contacts of their teams only; the register spans all.
    for user in ["olga", "sven", "aud"] {
        let mut c = server.login(user, GOOD_PASSWORD);
        let csrf = c.get("/admin").csrf();
        for p in &pages {
            let r = c.get(p);
            assert_eq!(r.status, 403, "{user} {p}");
            assert!(!r.body.contains("Jemand"));
        }
        let form = [
            ("csrf", csrf.as_str()),
            ("kind", "access"),
            ("status", "answered"),
        ];
        assert_eq!(c.post("/console/requests", &form).status, 403, "{user}");
        assert_eq!(c.post(&pages[2], &form).status, 403, "{user}");
        assert!(
            !c.get("/admin").body.contains("href=\"/console/requests\""),
            "{user}: no link"
        );
    }
    let mut conn = server.conn();
    let still = plauder::db::dsr::by_id(&mut conn, plauder::db::dsr::RequestId(id))
        .unwrap()
        .unwrap();
    assert_eq!(still.status, plauder::dsr::Status::Open, "nothing changed");
});
