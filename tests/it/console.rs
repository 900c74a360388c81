//! The operator console socket together with visitor sockets, on both backends.

use crate::both_backends;
use crate::support::client::Client;
use crate::support::ws::{Ws, hello, open, say};
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use crate::visitor::{visitor, widget};
use plauder::db::staff::Role;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn operator(server: &TestServer, client: &Client) -> Ws {
    let cookie = format!("__Host-plauder={}", client.cookies["__Host-plauder"]);
    let mut ws = open(
        server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    ws.recv_type("hello");
    ws
}

/// Reads queue frames until one satisfies `check`.
fn queue_until(ws: &mut Ws, check: impl Fn(&Vec<Value>) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let q = ws.recv_queue();
        let list = q["conversations"].as_array().unwrap().clone();
        if check(&list) {
            return list;
        }
    }
    panic!("queue never reached the expected state");
}

#[test]
fn console_socket_needs_a_session_and_this_origin() {
    let server = TestServer::start(crate::support::Db::Sqlite);
    assert_eq!(
        open(&server, "/console/ws", Some("https://localhost"), None).err(),
        Some(303)
    );
    let admin = server.admin();
    let cookie = format!("__Host-plauder={}", admin.cookies["__Host-plauder"]);
    assert_eq!(
        open(
            &server,
            "/console/ws",
            Some("https://evil.example"),
            Some(&cookie)
        )
        .err(),
        Some(403)
    );
    assert_eq!(
        open(&server, "/console/ws", None, Some(&cookie)).err(),
        Some(403)
    );
    assert!(
        open(
            &server,
            "/console/ws",
            Some("https://localhost"),
            Some(&cookie)
        )
        .is_ok()
    );
}

both_backends!(visitor_and_operators_talk_live, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "olga", Role::Operator, None);
    let w = widget(&server, false);
    let mut admin = operator(&server, &server.admin());
    let mut olga = operator(&server, &server.login("olga", GOOD_PASSWORD));

    let mut v = visitor(&server, &w);
    assert_eq!(
        hello(&mut v, None)["available"],
        true,
        "operators are online"
    );
    let started = Instant::now();
    say(&mut v, "v1", "Wo ist meine Bestellung?");
    v.recv_type("ack");
    let queue = queue_until(&mut admin, |l| l.iter().any(|c| c["status"] == "waiting"));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "waiting conversation appears within a second"
    );
    let id = queue[0]["id"].as_str().unwrap().to_string();
    queue_until(&mut olga, |l| l.iter().any(|c| c["status"] == "waiting"));

    admin.send(json!({"type": "take", "conversation": id}));
    let me = queue_until(&mut olga, |l| l[0]["status"] == "active");
    assert_eq!(me[0]["operator_name"], "admin", "others see it taken");
    olga.send(json!({"type": "take", "conversation": id}));
    assert!(
        olga.recv_type("error")["message"]
            .as_str()
            .unwrap()
            .contains("already taken")
    );

    admin.send(json!({"type": "open", "conversation": id}));
    let transcript = admin.recv_type("transcript");
    assert_eq!(transcript["lines"][0]["text"], "Wo ist meine Bestellung?");
    assert_eq!(transcript["preview"], false);

    admin.send(json!({"type": "typing", "conversation": id, "active": true}));
    assert_eq!(v.recv_type("typing")["active"], true);
    v.send(json!({"v": 1, "type": "typing", "active": true, "text": "geheimer Entwurf"}));
    let typing = admin.recv_type("typing");
    assert_eq!(
        (typing["visitor"].as_bool(), typing["active"].as_bool()),
        (Some(true), Some(true))
    );

    admin.send(json!({"type": "send", "conversation": id, "id": "n1", "text": "Kunde wirkt ungeduldig", "note": true}));
    assert_eq!(admin.recv_type("ack")["id"], "n1");
    admin.send(
        json!({"type": "send", "conversation": id, "id": "r1", "text": "Sie ist unterwegs."}),
    );
    assert_eq!(admin.recv_type("ack")["id"], "r1");
    let reply = v.recv_type("message");
    assert_eq!(
        (reply["text"].as_str(), reply["from"].as_str()),
        (Some("Sie ist unterwegs."), Some("operator")),
        "the note never reaches the visitor"
    );

    olga.send(json!({"type": "send", "conversation": id, "id": "x1", "text": "Hallo?"}));
    assert!(
        olga.recv_type("error")["message"]
            .as_str()
            .unwrap()
            .contains("another operator")
    );

    admin.send(json!({"type": "transfer", "conversation": id, "to": "999"}));
    admin.recv_type("error");
    let olga_id = olga_staff_id(&server);
    admin.send(json!({"type": "transfer", "conversation": id, "to": olga_id}));
    let moved = queue_until(&mut olga, |l| l[0]["operator_name"] == "olga");
    assert_eq!(moved[0]["status"], "active");
    olga.send(json!({"type": "close", "conversation": id}));
    v.recv_type("closed");
    say(&mut v, "v2", "Noch was");
    assert_eq!(v.recv_type("error")["code"], "closed");
});

fn olga_staff_id(server: &TestServer) -> String {
    plauder::db::staff::by_username(&mut server.conn(), "olga")
        .unwrap()
        .unwrap()
        .id
        .0
        .to_string()
}

both_backends!(typing_preview_only_when_the_widget_enables_it, |db| {
    let server = TestServer::start(db);
    for preview in [false, true] {
        let w = widget(&server, preview);
        let mut op = operator(&server, &server.admin());
        let mut v = visitor(&server, &w);
        hello(&mut v, None);
        say(&mut v, &format!("p{preview}"), "Hallo");
        v.recv_type("ack");
        let queue = queue_until(&mut op, |l| l.iter().any(|c| c["status"] == "waiting"));
        let id = queue.iter().find(|c| c["status"] == "waiting").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        op.send(json!({"type": "open", "conversation": id}));
        assert_eq!(op.recv_type("transcript")["preview"], preview);
        v.send(json!({"v": 1, "type": "typing", "active": true, "text": "Entwurf 42"}));
        op.recv_type("typing");
        if preview {
            assert_eq!(op.recv_type("preview")["text"], "Entwurf 42");
        } else {
            let deadline = Instant::now() + Duration::from_millis(400);
            while Instant::now() < deadline {
                op.0.get_ref()
                    .sock
                    .set_read_timeout(Some(Duration::from_millis(100)))
                    .unwrap();
                if let Ok(tungstenite::Message::Text(t)) = op.0.read() {
                    assert!(!t.contains("Entwurf"), "preview leaked while disabled: {t}");
                }
            }
            op.0.get_ref()
                .sock
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
        }
        op.send(json!({"type": "close", "conversation": id}));
        queue_until(&mut op, |l| l.iter().all(|c| c["id"] != id.as_str()));
    }
});

#[test]
fn availability_drives_what_the_widget_offers() {
    let server = TestServer::start(crate::support::Db::Sqlite);
    let w = widget(&server, false);
    let mut v = visitor(&server, &w);
    assert_eq!(hello(&mut v, None)["available"], false);
    let mut op = operator(&server, &server.admin());
    assert_eq!(v.recv_type("availability")["available"], true);
    op.send(json!({"type": "availability", "status": "away"}));
    assert_eq!(v.recv_type("availability")["available"], false);
    op.send(json!({"type": "availability", "status": "online"}));
    assert_eq!(v.recv_type("availability")["available"], true);
    drop(op);
    assert_eq!(
        v.recv_type("availability")["available"],
        false,
        "a closed console goes offline"
    );
}

both_backends!(a_visitor_who_leaves_stops_typing_for_operators, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, true);
    let mut op = operator(&server, &server.admin());
    let mut v = visitor(&server, &w);
    hello(&mut v, None);
    say(&mut v, "t1", "Hallo");
    v.recv_type("ack");
    let queue = queue_until(&mut op, |l| l.iter().any(|c| c["status"] == "waiting"));
    let id = queue[0]["id"].as_str().unwrap().to_string();
    op.send(json!({"type": "open", "conversation": id}));
    assert_eq!(op.recv_type("transcript")["preview"], true);
    v.send(json!({"v": 1, "type": "typing", "active": true, "text": "halber Satz"}));
    assert_eq!(op.recv_type("typing")["active"], true);
    assert_eq!(op.recv_type("preview")["text"], "halber Satz");

    // The visitor's tab goes away mid-sentence, without saying it stopped typing.
    drop(v);
    let typing = op.recv_type("typing");
    assert_eq!(
        (
            typing["conversation"].as_str(),
            typing["visitor"].as_bool(),
            typing["active"].as_bool()
        ),
        (Some(id.as_str()), Some(true), Some(false))
    );
    assert_eq!(
        op.recv_type("preview")["text"],
        "",
        "the preview is cleared"
    );
});
