//! A data-protection officer records a request, finds it in the list by its filters, opens
//! it, extends it (a reason is required), answers it; each step leaves its audit entry.
//! Actions linked by other areas (`db::dsr::link_action`) show on the request's page.

use super::{days_ago, record};
use crate::audit::rows;
use crate::both_backends;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use plauder::clock::Clock as _;
use plauder::db::staff::Role;
use plauder::dsr::due::due_date;

const SUBJECT: &str = "Erika Mustermann <erika.register@example.de>";

fn entries(server: &TestServer, action: &str) -> Vec<plauder::db::audit::Row> {
    rows(server)
        .into_iter()
        .filter(|r| r.action == action)
        .collect()
}

both_backends!(record_list_show_and_change_a_request, |db| {
    let server = TestServer::start(db);
    let dora = add_staff(&server, "dora", Role::Dpo, None);
    let mut c = server.login("dora", GOOD_PASSWORD);
    let received = days_ago(&server, 40);
    let received_text = received.format("%Y-%m-%d").to_string();
    let id = record(
        &mut c,
        &[
            ("kind", "erasure"),
            ("channel", "letter"),
            ("received", &received_text),
            ("subject", SUBJECT),
            ("handler", &dora.0.to_string()),
            ("notes", "Brief vom Anwalt"),
        ],
    );
    let created = entries(&server, "request_created");
    assert_eq!(created.len(), 1);
    assert_eq!(
        (created[0].object_type.as_str(), created[0].object_id),
        ("request", Some(id))
    );
    assert_eq!(created[0].actor_id, Some(dora.0));

    // The list: sorted by due date, with its filters; each view is audited.
    let viewed_before = entries(&server, "request_viewed").len();
    let list = c.get("/console/requests");
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Erika Mustermann"), "{}", list.body);
    assert!(
        list.body.contains("class=\"chip refused\">overdue"),
        "40 days after receipt it is overdue"
    );
    let viewed = entries(&server, "request_viewed");
    assert_eq!(viewed.len(), viewed_before + 1);
    assert_eq!(viewed.last().unwrap().object_type, "request");
    let link = format!("/console/requests/{id}");
    for (query, shown) in [
        ("due=overdue", true),
        ("due=soon", false),
        ("kind=erasure", true),
        ("kind=access", false),
        ("status=open", true),
        ("status=answered", false),
    ] {
        let page = c.get(&format!("/console/requests?{query}"));
        assert_eq!(page.status, 200, "{query}");
        assert_eq!(page.body.contains(&link), shown, "{query}");
    }
    assert_eq!(c.get("/console/requests?due=tomorrow").status, 400);
    assert_eq!(c.get("/console/requests?kind=%27%20OR%201%3D1").status, 400);

    // The request's page: one month after receipt, month ends respected.
    let due = due_date(received, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let page = c.get(&link);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Erika Mustermann") && page.body.contains("Brief vom Anwalt"));
    assert!(page.body.contains(&due), "due {due}: {}", page.body);
    let viewed = entries(&server, "request_viewed");
    assert_eq!(viewed.last().unwrap().object_id, Some(id));
    assert_eq!(c.get("/console/requests/4242").status, 404);
    assert_eq!(c.get("/console/requests/neu").status, 404);

    // An extension without a reason is refused, and nothing changes.
    let csrf = page.csrf();
    let dora_id = dora.0.to_string();
    let edit = |status: &str, ext: &str, reason: &str, refusal: &str| {
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("status".to_string(), status.to_string()),
            ("handler".to_string(), dora_id.clone()),
            ("extension".to_string(), ext.to_string()),
            ("extension_reason".to_string(), reason.to_string()),
            ("refusal_reason".to_string(), refusal.to_string()),
            ("notes".to_string(), "Brief vom Anwalt".to_string()),
        ]
    };
    let post = |c: &mut crate::support::client::Client, f: Vec<(String, String)>| {
        let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        c.post(&link, &fields)
    };
    let refused = post(&mut c, edit("in_progress", "2", "  ", ""));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("needs a reason"), "{}", refused.body);
    assert!(entries(&server, "request_changed").is_empty());
    let three = post(&mut c, edit("in_progress", "3", "viel", ""));
    assert_eq!(three.status, 400, "at most two further months");
    let no_csrf = c.post(&link, &[("status", "answered")]);
    assert_eq!(no_csrf.status, 403, "CSRF");

    // Extended by two months: three months after receipt.
    let ok = post(&mut c, edit("in_progress", "2", "Umfangreiche Prüfung", ""));
    assert_eq!(ok.status, 303, "{}", ok.body);
    let extended = due_date(received, 2)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let page = c.get(&link);
    assert!(page.body.contains(&extended), "due {extended}");
    assert!(page.body.contains("Umfangreiche Prüfung"));
    assert!(page.body.contains("id=\"status\">in progress<"));
    let changed = entries(&server, "request_changed");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].object_id, Some(id));

    // A refusal needs its reason; answering sets the answer time.
    assert_eq!(post(&mut c, edit("refused", "2", "x", "")).status, 400);
    assert_eq!(
        post(&mut c, edit("answered", "2", "Umfangreiche Prüfung", "")).status,
        303
    );
    let page = c.get(&link);
    assert!(page.body.contains("id=\"status\">answered<") && page.body.contains("Answered on"));
    assert_eq!(entries(&server, "request_changed").len(), 2);
    let answered = c.get("/console/requests?status=answered");
    assert!(answered.body.contains(&link));
    assert!(!c.get("/console/requests?due=overdue").body.contains(&link));
});

both_backends!(
    linked_actions_and_the_answer_buttons_show_on_the_page,
    |db| {
        let server = TestServer::start(db);
        add_staff(&server, "dora", Role::Dpo, None);
        let now = server.clock.naive();
        let contact = plauder::db::contacts::remember(
            &mut server.conn(),
            &server.state.ring,
            "kunde@example.de",
            Some("Kunde"),
            now,
        )
        .unwrap();
        let mut c = server.login("dora", GOOD_PASSWORD);
        let today = days_ago(&server, 0).format("%Y-%m-%d").to_string();
        let form = [
            ("kind", "access"),
            ("channel", "email"),
            ("received", today.as_str()),
            ("subject", "Kunde"),
        ];
        // An unknown contact number is refused with the form kept.
        let csrf = c.get("/console/requests/new").csrf();
        let mut bad = form.to_vec();
        bad.extend([("contact", "4242"), ("csrf", csrf.as_str())]);
        let r = c.post("/console/requests", &bad);
        assert_eq!(r.status, 400);
        assert!(
            r.body.contains("There is no contact with this number")
                && r.body.contains("value=\"Kunde\"")
        );
        let mut good = form.to_vec();
        let contact_id = contact.0.to_string();
        good.push(("contact", &contact_id));
        let id = record(&mut c, &good);
        let link = format!("/console/requests/{id}");
        let page = c.get(&link).body;
        assert!(page.contains(&format!(
            "/console/contacts/{contact_id}/export.json?request={id}"
        )));
        assert!(page.contains(&format!(
            "/console/contacts/{contact_id}/erase?request={id}"
        )));
        assert!(page.contains("No action linked yet"));

        let mut conn = server.conn();
        assert!(
            plauder::db::dsr::link_action(&mut conn, id, "exported", "contact", contact.0, now)
                .unwrap()
        );
        assert!(
            plauder::db::dsr::link_action(&mut conn, id, "erased", "conversation", 777, now)
                .unwrap()
        );
        assert!(
            !plauder::db::dsr::link_action(&mut conn, 4242, "exported", "contact", 1, now).unwrap()
        );
        drop(conn);
        let page = c.get(&link).body;
        let table = &page[page
            .find("id=\"linked-actions\"")
            .expect("the actions table")..];
        assert!(
            table.contains("exported")
                && table.contains(&format!("href=\"/console/contacts/{contact_id}\""))
        );
        // An erased object is named by id, without a link that would lead nowhere.
        assert!(table.contains("erased") && table.contains("Conversation 777"));
        assert!(!table.contains("/console/conversations/777"));
    }
);
