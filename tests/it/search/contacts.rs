//! The contacts list: searched by the same fields, keyset pages, scope, links to each
//! contact's page.

use super::{conversation, next_link, query, widget};
use crate::access::{Who, login, world};
use crate::both_backends;
use plauder::db::contacts::ContactId;
use std::collections::BTreeSet;

fn contact_ids(body: &str) -> BTreeSet<i64> {
    let marker = "href=\"/console/contacts/";
    body.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &body[i + marker.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect()
}

fn contact_of(
    server: &crate::support::TestServer,
    c: plauder::db::conversations::ConversationId,
) -> ContactId {
    plauder::db::conversations::by_id(&mut server.conn(), c)
        .unwrap()
        .unwrap()
        .contact
        .unwrap()
}

both_backends!(contacts_are_listed_and_searched_by_the_same_fields, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let anna = contact_of(
        &server,
        conversation(&server, w, Some("Anna Schmidt"), Some("anna@example.de")),
    );
    let bernd = contact_of(
        &server,
        conversation(&server, w, Some("Bernd Schmidt"), Some("bernd@example.de")),
    );
    plauder::db::contacts::set_phone_and_customer_id(
        &mut server.conn(),
        &server.state.ring,
        bernd,
        Some("+49 89 555 0100"),
        Some("K-7"),
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    let mut admin = server.admin();
    let list = |admin: &mut crate::support::client::Client, pairs: &[(&str, &str)]| {
        let r = admin.get(&format!("/console/contacts?{}", query(pairs)));
        assert_eq!(r.status, 200, "{pairs:?}");
        contact_ids(&r.body)
    };
    let ids = |v: &[ContactId]| v.iter().map(|c| c.0).collect::<BTreeSet<_>>();
    assert_eq!(list(&mut admin, &[]), ids(&[anna, bernd]));
    assert_eq!(list(&mut admin, &[("q", "ANNA@example.de")]), ids(&[anna]));
    assert_eq!(list(&mut admin, &[("q", "schmidt")]), ids(&[anna, bernd]));
    assert_eq!(
        list(&mut admin, &[("q", "089 5550100"), ("field", "phone")]),
        ids(&[bernd])
    );
    assert_eq!(
        list(&mut admin, &[("q", "K-7"), ("field", "customer")]),
        ids(&[bernd])
    );
    assert!(list(&mut admin, &[("q", "k-7"), ("field", "customer")]).is_empty());
    let page = admin.get("/console/contacts?q=bernd");
    assert!(
        page.body.contains("+49 89 555 0100"),
        "its values are shown"
    );
    // Pages of 50, each contact once.
    for i in 0..55 {
        let email = format!("person{i}@example.de");
        conversation(&server, w, Some("Viele Leute"), Some(&email));
    }
    let mut seen = Vec::new();
    let mut link = Some("/console/contacts?q=leute".to_string());
    while let Some(path) = link {
        let r = admin.get(&path);
        assert_eq!(r.status, 200);
        seen.extend(contact_ids(&r.body));
        link = next_link(&r.body);
        assert!(seen.len() <= 55, "the pages end");
    }
    assert_eq!(seen.len(), 55);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 55);
});

both_backends!(contacts_of_another_team_are_not_listed, |db| {
    let w = world(db);
    // Give the fixture's conversations contacts: one in team A, one in team B.
    let now = chrono::Utc::now().naive_utc();
    let ring = &w.server.state.ring;
    for (c, email) in [
        (w.convs[0].id, "a@example.de"),
        (w.convs[2].id, "b@example.de"),
    ] {
        let mut conn = w.server.conn();
        plauder::db::write_transaction(&mut conn, |conn| {
            plauder::db::conversations::identify(conn, ring, c, None, Some(email), now)
        })
        .unwrap();
    }
    let a = contact_of(&w.server, w.convs[0].id);
    let b = contact_of(&w.server, w.convs[2].id);
    let r = login(&w, Who::Admin).get("/console/contacts");
    assert_eq!(contact_ids(&r.body), [a.0, b.0].into());
    let r = login(&w, Who::Operator).get("/console/contacts");
    assert_eq!(contact_ids(&r.body), [a.0].into());
    let r = login(&w, Who::Operator).get("/console/contacts?q=b%40example.de");
    assert!(contact_ids(&r.body).is_empty());
    // No contacts area, no list.
    assert_eq!(login(&w, Who::Own).get("/console/contacts").status, 403);
});
