//! Identity recognition, on both backends: a visitor's e-mail address that matches a local
//! contact shows the operator that contact's earlier conversations, live and on the
//! transcript page, only when the widget recognises returning visitors; privacy mode forces
//! that off. The contact is stored either way.

use crate::both_backends;
use crate::self_service::{chatting, identify};
use crate::support::TestServer;
use crate::support::ws::{Ws, default_consent, hello_only};
use crate::visitor::visitor;
use diesel::prelude::*;
use plauder::db::schema::{contacts, conversations};
use serde_json::{Value, json};

fn operator(server: &TestServer) -> Ws {
    let admin = server.admin();
    let cookie = format!("__Host-plauder={}", admin.cookies["__Host-plauder"]);
    let mut ws = crate::support::ws::open(
        server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    ws.recv_type("hello");
    ws
}

/// An offline message with name and address (no operator online); returns its id.
fn offline_with_email(server: &TestServer, w: &str, email: &str) -> i64 {
    let mut ws = visitor(server, w);
    hello_only(&mut ws, None);
    ws.send(default_consent());
    ws.recv_type("consented");
    ws.send(json!({"v": 1, "type": "offline", "id": "o1", "text": "Bitte um Rückruf", "name": "Anna", "email": email}));
    ws.recv_type("ack");
    conversations::table
        .select(conversations::id)
        .order(conversations::id.desc())
        .first(&mut *server.conn())
        .unwrap()
}

fn earlier_ids(v: &Value) -> Vec<String> {
    v["earlier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn contact_of(server: &TestServer, id: i64) -> Option<i64> {
    conversations::table
        .find(id)
        .select(conversations::contact_id)
        .first(&mut *server.conn())
        .unwrap()
}

/// Runs the same story on a widget with these settings; returns what the operator saw
/// live, on opening, and whether the transcript page linked the earlier conversation.
fn story(server: &TestServer, extra: &[(&str, &str)]) -> (Vec<String>, Vec<String>, bool, i64) {
    let w = crate::privacy_mode::widget_with(server, extra);
    let first = offline_with_email(server, &w, "Anna@Example.de");
    let (mut ws, _, second) = chatting(server, &w, &["Ich war schon einmal da"]);
    let mut op = operator(server);
    op.send(json!({"type": "open", "conversation": second.to_string()}));
    assert_eq!(
        earlier_ids(&op.recv_type("transcript")),
        Vec::<String>::new()
    );
    // The visitor gives the same address (other case, spaces): the console updates live.
    identify(&mut ws, "Anna B.", "  anna@EXAMPLE.de ");
    let live = op.recv_type("contact");
    assert_eq!(live["email"], "anna@EXAMPLE.de");
    op.send(json!({"type": "open", "conversation": second.to_string()}));
    let opened = earlier_ids(&op.recv_type("transcript"));
    let page = server
        .admin()
        .get(&format!("/console/conversations/{second}"))
        .body;
    let linked = page.contains(&format!("href=\"/console/conversations/{first}\""));
    assert_eq!(
        contact_of(server, first),
        contact_of(server, second),
        "one contact, one address"
    );
    assert!(
        contact_of(server, second).is_some(),
        "the contact is stored either way"
    );
    (earlier_ids(&live), opened, linked, first)
}

both_backends!(
    identity_recognition_shows_earlier_conversations_only_when_on,
    |db| {
        let server = TestServer::start(db);
        let (live, opened, linked, first) = story(&server, &[("identity_recognition", "on")]);
        assert_eq!(live, [first.to_string()], "live");
        assert_eq!(opened, [first.to_string()], "on opening");
        assert!(linked, "the transcript page links it");

        let (live, opened, linked, _) = story(&server, &[]);
        assert!(
            live.is_empty() && opened.is_empty() && !linked,
            "off: nothing shown"
        );

        // Privacy mode forces recognition off even when the box is ticked.
        let (live, opened, linked, _) = story(
            &server,
            &[("identity_recognition", "on"), ("privacy_mode", "on")],
        );
        assert!(
            live.is_empty() && opened.is_empty() && !linked,
            "privacy mode"
        );

        let stored: i64 = contacts::table
            .count()
            .get_result(&mut *server.conn())
            .unwrap();
        assert_eq!(stored, 1, "one contact for one address across widgets");
    }
);
