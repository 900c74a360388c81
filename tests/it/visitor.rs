//! The visitor websocket protocol with a real websocket client, on both backends.

use crate::both_backends;
use crate::support::TestServer;
use crate::support::ws::{Ws, hello, open, say};
use diesel::prelude::*;
use plauder::db::schema::{conversations, messages};
use serde_json::json;
use std::time::Duration;

pub const SITE: &str = "http://127.0.0.1:9999";

/// A widget made through the same domain function the admin page uses.
pub fn widget(server: &TestServer, preview: bool) -> String {
    let form = plauder::widget::settings::WidgetForm {
        name: "Shop".into(),
        allowed_origins: SITE.into(),
        greeting: "Moin!".into(),
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        typing_preview: preview.then(|| "on".into()),
        ..Default::default()
    };
    let settings = form.validate().unwrap();
    let now = chrono::Utc::now().naive_utc();
    plauder::db::widgets::insert(&mut server.conn(), &settings, now)
        .unwrap()
        .public_id
}

pub fn visitor(server: &TestServer, widget: &str) -> Ws {
    open(server, &format!("/widget/ws?w={widget}"), Some(SITE), None).unwrap()
}

fn message_count(server: &TestServer) -> i64 {
    messages::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

both_backends!(
    messages_are_acked_in_order_and_resends_are_not_stored_twice,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let mut ws = visitor(&server, &w);
        let welcome = hello(&mut ws, None);
        assert_eq!(welcome["greeting"], "Moin!");
        assert_eq!(welcome["available"], false, "no operator online");
        assert_eq!(message_count(&server), 0, "connecting stores nothing");
        assert_eq!(
            conversations::table
                .count()
                .get_result::<i64>(&mut *server.conn())
                .unwrap(),
            0
        );

        say(&mut ws, "m1", "Hallo, ich habe eine Frage");
        let started = ws.recv();
        assert_eq!(started["type"], "started");
        assert_eq!(started["token"].as_str().unwrap().len(), 43);
        let ack = ws.recv();
        assert_eq!(
            (
                ack["type"].as_str(),
                ack["id"].as_str(),
                ack["seq"].as_i64()
            ),
            (Some("ack"), Some("m1"), Some(1))
        );
        assert_eq!(message_count(&server), 1, "acked means committed");

        say(&mut ws, "m1", "Hallo, ich habe eine Frage");
        let again = ws.recv();
        assert_eq!(
            (again["type"].as_str(), again["seq"].as_i64()),
            (Some("ack"), Some(1)),
            "resend acks the stored one"
        );
        for (i, id) in ["m2", "m3", "m4"].iter().enumerate() {
            say(&mut ws, id, &format!("Nachricht {i}"));
        }
        let seqs: Vec<i64> = (0..3)
            .map(|_| ws.recv_type("ack")["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, [2, 3, 4]);
        assert_eq!(message_count(&server), 4, "no duplicate");
        let bodies: Vec<Vec<u8>> = messages::table
            .select(messages::body_enc)
            .load(&mut *server.conn())
            .unwrap();
        assert!(
            bodies
                .iter()
                .all(|b| !b.windows(7).any(|w| w == b"Hallo, ")),
            "bodies are encrypted"
        );
    }
);

both_backends!(
    resume_after_reconnect_loses_nothing_and_repeats_nothing,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let mut ws = visitor(&server, &w);
        hello(&mut ws, None);
        say(&mut ws, "a", "eins");
        let token = ws.recv_type("started")["token"]
            .as_str()
            .unwrap()
            .to_string();
        ws.recv_type("ack");
        say(&mut ws, "b", "zwei");
        ws.recv_type("ack");
        drop(ws);

        // While the visitor is away, the operator answers.
        let id: i64 = conversations::table
            .select(conversations::id)
            .first(&mut *server.conn())
            .unwrap();
        let reply = plauder::db::messages::NewMessage {
            conversation: plauder::db::conversations::ConversationId(id),
            sender: plauder::db::messages::Sender::Operator,
            staff: None,
            client_id: None,
            text: "Antwort vom Support",
        };
        plauder::db::messages::append(
            &mut server.conn(),
            &server.state.ring,
            &reply,
            chrono::Utc::now().naive_utc(),
        )
        .unwrap();

        let mut ws = visitor(&server, &w);
        let welcome = hello(&mut ws, Some((&token, 1)));
        assert_eq!(welcome["resumed"], true);
        let second = ws.recv();
        assert_eq!(
            (
                second["seq"].as_i64(),
                second["id"].as_str(),
                second["from"].as_str()
            ),
            (Some(2), Some("b"), Some("visitor"))
        );
        let third = ws.recv();
        assert_eq!(
            (
                third["seq"].as_i64(),
                third["text"].as_str(),
                third["from"].as_str()
            ),
            (Some(3), Some("Antwort vom Support"), Some("operator"))
        );
        ws.silent_for(Duration::from_millis(300));
        say(&mut ws, "c", "drei");
        assert_eq!(
            ws.recv_type("ack")["seq"],
            4,
            "continues the same conversation"
        );
    }
);

both_backends!(a_guessed_or_foreign_token_resumes_nothing, |db| {
    let server = TestServer::start(db);
    let w1 = widget(&server, false);
    let w2 = widget(&server, false);
    let mut ws = visitor(&server, &w1);
    hello(&mut ws, None);
    say(&mut ws, "a", "geheim");
    let token = ws.recv_type("started")["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut other = visitor(&server, &w2);
    assert_eq!(
        hello(&mut other, Some((&token, 0)))["resumed"],
        false,
        "token of another widget"
    );
    other.silent_for(Duration::from_millis(300));
    let mut guess = visitor(&server, &w1);
    assert_eq!(
        hello(
            &mut guess,
            Some(("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0))
        )["resumed"],
        false
    );
    guess.silent_for(Duration::from_millis(300));
});

#[test]
fn every_bad_frame_gets_an_error_and_flooding_closes() {
    let server = TestServer::start(crate::support::Db::Sqlite);
    let w = widget(&server, false);
    let mut ws = visitor(&server, &w);
    say(&mut ws, "x", "too early");
    assert_eq!(ws.recv()["code"], "hello_first");
    hello(&mut ws, None);
    let long = "a".repeat(4001);
    let cases = [
        ("{not json".to_string(), "bad_json"),
        (json!({"type": "ping"}).to_string(), "unsupported_version"),
        (json!({"v": 1, "type": "shout"}).to_string(), "unknown_type"),
        (
            json!({"v": 1, "type": "message", "id": "x", "text": long}).to_string(),
            "text_too_long",
        ),
        (
            json!({"v": 1, "type": "message", "id": "bad id!", "text": "a"}).to_string(),
            "bad_id",
        ),
        (
            json!({"v": 1, "type": "message", "id": "x", "text": "  "}).to_string(),
            "empty_text",
        ),
        (json!({"v": 1, "type": "hello"}).to_string(), "unexpected"),
    ];
    for (frame, code) in cases {
        std::thread::sleep(Duration::from_millis(120));
        ws.send_raw(&frame);
        let answer = ws.recv();
        assert_eq!(
            (answer["type"].as_str(), answer["code"].as_str()),
            (Some("error"), Some(code)),
            "{frame:.60}"
        );
    }
    assert_eq!(message_count(&server), 0, "bad frames store nothing");
    for _ in 0..40 {
        ws.send(json!({"v": 1, "type": "ping"}));
    }
    assert_eq!(
        ws.close_code(),
        Some(1008),
        "flooding closes with policy violation"
    );

    let mut big = visitor(&server, &w);
    hello(&mut big, None);
    big.send_raw(&format!(
        "{{\"v\":1,\"type\":\"message\",\"id\":\"x\",\"text\":\"{}\"}}",
        "b".repeat(20_000)
    ));
    assert_eq!(
        big.close_code(),
        Some(1009),
        "an oversize frame closes with message too big"
    );
}

/// Binary frames and pings cost the server as much as text: they count against the same
/// limit, so a flood of them is closed like a flood of text frames.
#[test]
fn flooding_with_binary_frames_or_pings_closes_too() {
    let server = TestServer::start(crate::support::Db::Sqlite);
    let w = widget(&server, false);
    let floods: [fn() -> tungstenite::Message; 2] = [
        || tungstenite::Message::binary(vec![0u8; 16]),
        || tungstenite::Message::Ping(vec![1u8; 8].into()),
    ];
    for flood in floods {
        let mut ws = visitor(&server, &w);
        hello(&mut ws, None);
        for _ in 0..40 {
            // The server may close before the last frames are written.
            let _ = ws.0.send(flood());
        }
        assert_eq!(
            ws.close_reason(),
            Some((1008, "flooding".to_string())),
            "{:?}",
            flood()
        );
    }
}

#[test]
fn origins_widgets_and_addresses_are_checked_at_upgrade() {
    let server = TestServer::start(crate::support::Db::Sqlite);
    let w = widget(&server, false);
    let path = format!("/widget/ws?w={w}");
    assert_eq!(
        open(&server, &path, Some("https://evil.example"), None).err(),
        Some(403)
    );
    assert_eq!(open(&server, &path, None, None).err(), Some(403));
    assert!(
        open(&server, &path, Some("https://localhost"), None).is_ok(),
        "plauder's own iframe"
    );
    assert_eq!(
        open(&server, "/widget/ws?w=nope", Some(SITE), None).err(),
        Some(404)
    );

    let mut held: Vec<Ws> = (0..20).map(|_| visitor(&server, &w)).collect();
    assert_eq!(
        open(&server, &path, Some(SITE), None).err(),
        Some(429),
        "21st socket of one address"
    );
    drop(held.pop());
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        open(&server, &path, Some(SITE), None).is_ok(),
        "a closed socket frees its slot"
    );
}

both_backends!(offline_messages_are_stored_with_optional_contact, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, false);
    let mut ws = visitor(&server, &w);
    assert_eq!(hello(&mut ws, None)["available"], false);
    ws.send(json!({"v": 1, "type": "offline", "id": "o1", "text": "Bitte um Rückruf", "name": "Erika", "email": "erika@example.de"}));
    assert_eq!(ws.recv_type("ack")["id"], "o1");
    let (status, name): (String, Option<Vec<u8>>) = conversations::table
        .select((conversations::status, conversations::visitor_name_enc))
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(status, "offline");
    assert!(
        name.is_some_and(|n| !n.windows(5).any(|w| w == b"Erika")),
        "name stored encrypted"
    );
    let mut anonymous = visitor(&server, &w);
    hello(&mut anonymous, None);
    anonymous.send(json!({"v": 1, "type": "offline", "id": "o2", "text": "Ohne Kontakt"}));
    assert_eq!(
        anonymous.recv_type("ack")["id"],
        "o2",
        "contact fields are optional"
    );
});
