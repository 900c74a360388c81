//! Each field kind finds exactly the right conversations, and nothing else.

use super::{conversation, found, set, widget};
use crate::both_backends;
use plauder::clock::Clock as _;
use plauder::db::contacts;

both_backends!(each_field_kind_finds_exactly_its_conversations, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let anna = conversation(
        &server,
        w,
        Some("Anna-Lena Schmidt"),
        Some("Anna.Schmidt@Example.de"),
    );
    let bernd = conversation(&server, w, Some("Bernd Schmidt"), Some("bernd@example.de"));
    let meier = conversation(&server, w, Some("Anna Meier"), None);
    // The same person again, giving only the address: found through the contact.
    let again = conversation(&server, w, None, Some(" anna.schmidt@example.DE "));
    let nobody = conversation(&server, w, None, None);
    let contact = plauder::db::conversations::by_id(&mut server.conn(), anna)
        .unwrap()
        .unwrap()
        .contact
        .unwrap();
    let now = server.clock.now().naive_utc();
    assert!(
        contacts::set_phone_and_customer_id(
            &mut server.conn(),
            &server.state.ring,
            contact,
            Some("+49 30 1234567"),
            Some("K-0042"),
            now,
        )
        .unwrap()
    );
    let mut admin = server.admin();
    let cases: &[(&str, &str, Vec<_>)] = &[
        ("email", "ANNA.SCHMIDT@example.DE", vec![anna, again]),
        ("email", "bernd@example.de", vec![bernd]),
        ("email", "schmidt@example.de", vec![]),
        ("phone", "030 1234567", vec![anna, again]),
        ("phone", "0049 (30) 123-4567", vec![anna, again]),
        ("phone", "+49 (0)30 1234567", vec![anna, again]),
        ("phone", "030 123456", vec![]),
        ("customer", "K-0042", vec![anna, again]),
        ("customer", "k-0042", vec![]),
        ("customer", "K-004", vec![]),
        ("name", "SCHMIDT", vec![anna, bernd, again]),
        ("name", "anna", vec![anna, meier, again]),
        ("name", "Lena", vec![anna, again]),
        ("name", "anna schmidt", vec![anna, again]),
        ("name", "Ann", vec![]),
        ("name", "Anna-Lena Meier", vec![]),
        ("auto", "bernd@EXAMPLE.de", vec![bernd]),
        ("auto", "+49301234567", vec![anna, again]),
        ("auto", "K-0042", vec![anna, again]),
        ("auto", "meier", vec![meier]),
    ];
    for (field, q, want) in cases {
        let got = found(&mut admin, &[("q", q), ("field", field)]);
        assert_eq!(got, set(want), "{field} {q:?}");
    }
    // Without a text every conversation is listed, the one without a person too.
    let all = found(&mut admin, &[]);
    assert_eq!(all, set(&[anna, bernd, meier, again, nobody]));
});

both_backends!(rows_stored_before_the_index_are_indexed_at_start, |db| {
    use diesel::prelude::*;
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let old = conversation(&server, w, Some("Greta Alt"), Some("greta@example.de"));
    // As if stored before the index existed: no entries, and the migration's marker.
    {
        let mut conn = server.conn();
        diesel::sql_query("DELETE FROM person_index")
            .execute(&mut *conn)
            .unwrap();
        plauder::db::settings::set(
            &mut conn,
            "person_index.backfill",
            "pending",
            server.clock.now().naive_utc(),
        )
        .unwrap();
    }
    let mut admin = server.admin();
    assert!(found(&mut admin, &[("q", "greta@example.de")]).is_empty());
    let done = plauder::db::person_index::backfill(&server.state.db, &server.state.ring).unwrap();
    assert_eq!(done, 2, "one conversation and its contact");
    assert_eq!(found(&mut admin, &[("q", "greta@example.de")]), set(&[old]));
    assert_eq!(
        found(&mut admin, &[("q", "alt"), ("field", "name")]),
        set(&[old])
    );
    // Once only: the marker is gone.
    let again = plauder::db::person_index::backfill(&server.state.db, &server.state.ring).unwrap();
    assert_eq!(again, 0);
});
