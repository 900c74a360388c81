//! Filters combine with each other and with the text; keyset pages walk every result once;
//! the scope of the role decides what is found at all.

use super::{conversation, found, ids_on, next_link, set, widget};
use crate::access::{Who, login, world};
use crate::both_backends;
use plauder::clock::Clock as _;
use plauder::db::conversations;
use plauder::db::search::{self, Filter, Order, Reach};
use std::collections::BTreeSet;

both_backends!(filters_combine, |db| {
    let server = crate::support::TestServer::start(db);
    let shop = widget(&server, "Shop");
    let help = widget(&server, "Hilfe");
    let admin_id = plauder::db::staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id;
    let day1 = server.clock.now().date_naive();
    let a = conversation(&server, shop, Some("Anna Schmidt"), None);
    let b = conversation(&server, help, Some("Anna Schmidt"), None);
    server.clock.advance(chrono::TimeDelta::days(2));
    let day3 = server.clock.now().date_naive();
    let c = conversation(&server, shop, Some("Anna Schmidt"), None);
    let d = conversation(&server, shop, Some("Otto Schmidt"), None);
    let now = server.clock.now().naive_utc();
    {
        let mut conn = server.conn();
        assert!(conversations::take(&mut conn, c, admin_id, now).unwrap());
        assert!(conversations::close(&mut conn, d, now).unwrap());
        plauder::db::tags::add(&mut conn, a, "Rückruf")
            .unwrap()
            .unwrap();
        plauder::db::tags::add(&mut conn, c, "rückruf")
            .unwrap()
            .unwrap();
    }
    let mut admin = server.admin();
    let shop_id = shop.0.to_string();
    let admin_s = admin_id.0.to_string();
    let (d1, d3) = (day1.to_string(), day3.to_string());
    let cases: &[(&[(&str, &str)], Vec<_>)] = &[
        (&[("q", "anna"), ("widget", &shop_id)], vec![a, c]),
        (&[("q", "schmidt"), ("widget", &shop_id)], vec![a, c, d]),
        (&[("q", "schmidt"), ("status", "closed")], vec![d]),
        (&[("q", "schmidt"), ("status", "waiting")], vec![a, b]),
        (&[("q", "anna"), ("operator", &admin_s)], vec![c]),
        (&[("q", "anna"), ("tag", " RÜCKRUF ")], vec![a, c]),
        (&[("tag", "rückruf"), ("from", &d3)], vec![c]),
        (&[("q", "schmidt"), ("to", &d1)], vec![a, b]),
        (&[("from", &d1), ("to", &d1), ("widget", &shop_id)], vec![a]),
        (
            &[("q", "anna"), ("team", "1"), ("status", "active")],
            vec![c],
        ),
        (&[("tag", "nie-vergeben")], vec![]),
    ];
    for (pairs, want) in cases {
        assert_eq!(found(&mut admin, pairs), set(want), "{pairs:?}");
    }
    // A malformed filter value is refused with a message, not searched.
    let r = admin.get("/console/conversations?widget=abc");
    assert_eq!(r.status, 400);
    let r = admin.get("/console/conversations?from=31.12.2026");
    assert_eq!(r.status, 400);
});

both_backends!(keyset_pages_walk_every_result_once, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let mut made = Vec::new();
    for i in 0..123 {
        // Pairs share their start time: the id breaks the tie.
        if i % 2 == 0 {
            server.clock.advance(chrono::TimeDelta::seconds(1));
        }
        made.push(conversation(&server, w, Some("Paul Seite"), None));
    }
    let _other = conversation(&server, w, Some("Nicht Gesucht"), None);
    let want = super::set(&made);
    // Through the page: 50 a page, by the "next page" links, both orders.
    let mut admin = server.admin();
    for order in ["desc", "asc"] {
        let mut seen: Vec<i64> = Vec::new();
        let mut link = Some(format!("/console/conversations?q=paul&order={order}"));
        let mut pages = 0;
        while let Some(path) = link {
            let r = admin.get(&path);
            assert_eq!(r.status, 200, "{path}");
            let on_page = ids_on(&r.body);
            assert!(on_page.len() <= 50);
            // In order on the page too (ids grow with time here).
            let mut in_order: Vec<i64> = Vec::new();
            for (i, _) in r.body.match_indices("name=\"id\" value=\"") {
                let rest = &r.body[i + 17..];
                in_order.push(rest[..rest.find('"').unwrap()].parse().unwrap());
            }
            let mut sorted = in_order.clone();
            sorted.sort_unstable();
            if order == "desc" {
                sorted.reverse();
            }
            assert_eq!(in_order, sorted, "{order} page {pages}");
            seen.extend(in_order);
            link = next_link(&r.body);
            pages += 1;
            assert!(pages <= 3, "{order}: the pages end");
        }
        assert_eq!(pages, 3, "{order}");
        assert_eq!(seen.len(), made.len(), "{order}: no duplicates");
        assert_eq!(
            seen.iter().copied().collect::<BTreeSet<_>>(),
            want,
            "{order}: no gaps"
        );
    }
    // Through the batch API the exporter streams with, in small batches.
    let filter = Filter {
        text: "Paul".into(),
        order: Order::OldestFirst,
        ..Filter::default()
    };
    let mut conn = server.conn();
    let mut after = None;
    let mut seen = Vec::new();
    loop {
        let batch = search::ids(
            &mut conn,
            &server.state.ring,
            &filter,
            &Reach::All,
            after,
            7,
        )
        .unwrap();
        assert!(batch.ids.len() <= 7);
        seen.extend(batch.ids.iter().map(|c| c.0));
        match batch.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), made.len());
    assert_eq!(
        seen,
        made.iter().map(|c| c.0).collect::<Vec<_>>(),
        "oldest first"
    );
});

both_backends!(a_team_cannot_find_another_teams_conversations, |db| {
    let w = world(db);
    // Every conversation of the fixture is Erika Mustermann's.
    let all = super::set(&w.convs.map(|c| c.id));
    let mut admin = login(&w, Who::Admin);
    assert_eq!(found(&mut admin, &[("q", "erika")]), all);
    for who in [Who::Operator, Who::Supervisor] {
        let got = found(
            &mut login(&w, who),
            &[("q", "Mustermann"), ("field", "name")],
        );
        let want: BTreeSet<i64> = w
            .convs
            .iter()
            .filter(|c| w.visible(who, c))
            .map(|c| c.id.0)
            .collect();
        assert_eq!(got, want, "{who:?}");
        assert!(!got.contains(&w.convs[2].id.0), "team B's conversation");
        // Not by its widget or team either.
        let team_b = w.team_b.0.to_string();
        assert!(found(&mut login(&w, who), &[("team", &team_b)]).is_empty());
    }
    // A role without the contacts area filters but does not search for people.
    let mut own = login(&w, Who::Own);
    let r = own.get("/console/conversations?q=erika");
    assert_eq!(r.status, 200);
    assert!(ids_on(&r.body).is_empty());
    assert!(r.body.contains("id=\"search-notice\""));
    let listed = found(&mut own, &[]);
    let want: BTreeSet<i64> = w
        .convs
        .iter()
        .filter(|c| w.visible(Who::Own, c))
        .map(|c| c.id.0)
        .collect();
    assert_eq!(listed, want);
    // Roles without the conversations area get no page.
    assert_eq!(
        login(&w, Who::Auditor).get("/console/conversations").status,
        403
    );
});
