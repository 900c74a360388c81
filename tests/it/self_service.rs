//! In-chat self-service over the visitor websocket, on both backends: a visitor sees
//! exactly what is stored about them and nothing of anyone else's conversation, and
//! downloads it once per address as JSON or as an escaped HTML page.

use crate::both_backends;
use crate::support::TestServer;
use crate::support::ws::{Ws, default_consent, hello, hello_only, say};
use crate::visitor::visitor;
use diesel::prelude::*;
use plauder::db::schema::conversations;
use serde_json::{Value, json};

pub const SCRIPT: &str = "<script>alert('x')</script> & \"Tee\"";

/// A consented visitor who said `texts` (after hello with the embedding page); returns the
/// socket, its token and the conversation id.
pub fn chatting(server: &TestServer, w: &str, texts: &[&str]) -> (Ws, String, i64) {
    let mut ws = visitor(server, w);
    ws.send(json!({"v": 1, "type": "hello", "page": "https://shop.example.de/tee?q=1"}));
    ws.recv_type("welcome");
    ws.send(default_consent());
    ws.recv_type("consented");
    let mut token = String::new();
    for (i, text) in texts.iter().enumerate() {
        say(&mut ws, &format!("m{i}"), text);
        if i == 0 {
            token = ws.recv_type("started")["token"]
                .as_str()
                .unwrap()
                .to_string();
        }
        ws.recv_type("ack");
    }
    let id = conversation_of(server, &token);
    (ws, token, id)
}

pub fn conversation_of(server: &TestServer, token: &str) -> i64 {
    conversations::table
        .filter(conversations::token_hash.eq(plauder::crypto::sha256(token.as_bytes())))
        .select(conversations::id)
        .first(&mut *server.conn())
        .unwrap()
}

pub fn identify(ws: &mut Ws, name: &str, email: &str) {
    ws.send(json!({"v": 1, "type": "identify", "name": name, "email": email}));
    ws.recv_type("identified");
}

pub fn my_data(ws: &mut Ws) -> Value {
    ws.send(json!({"v": 1, "type": "data"}));
    ws.recv_type("data")
}

fn texts_of(data: &Value) -> Vec<String> {
    data["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(show_returns_exactly_the_visitors_own_data, |db| {
    let server = TestServer::start(db);
    let w = crate::privacy_mode::widget_with(&server, &[]);
    let (mut anna, anna_token, anna_id) = chatting(&server, &w, &["Habt ihr grünen Tee?", SCRIPT]);
    identify(&mut anna, "Anna Beispiel", "Anna@Example.de");
    let (mut bert, _, _) = chatting(&server, &w, &["BertsGeheimnis 4711"]);
    identify(&mut bert, "Bert", "bert@example.de");

    let frame = my_data(&mut anna);
    let data = &frame["data"];
    assert_eq!(data["conversation"], anna_id.to_string());
    assert_eq!(data["name"], "Anna Beispiel");
    assert_eq!(data["email"], "Anna@Example.de");
    assert_eq!(texts_of(data), ["Habt ihr grünen Tee?", SCRIPT]);
    let german =
        plauder::widget::notice::Notice::default_for(plauder::widget::lang::VisitorLang::De);
    assert_eq!(
        data["consents"][0]["notice_version"],
        german.version.as_str()
    );
    assert_eq!(data["consents"][0]["notice_hash"], german.hash.as_str());
    assert_eq!(data["consents"][0]["lang"], "de");
    assert!(
        data["consents"][0]["given_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(
        data["technical"]["page"], "https://shop.example.de/tee",
        "privacy mode off: the technical data is part of it"
    );
    let everything = frame.to_string();
    assert!(!everything.contains("Bert"), "nothing of the other visitor");
    assert!(
        frame["json_url"]
            .as_str()
            .unwrap()
            .starts_with("/widget/data?t=")
    );
    assert_ne!(frame["json_url"], frame["html_url"]);
    assert!(
        !everything.contains(&anna_token),
        "the token never goes into an address"
    );

    // Someone guessing: a made-up token, and the token of another widget's conversation.
    let mut guess = visitor(&server, &w);
    let made_up = "A".repeat(43);
    assert_eq!(
        hello_only(&mut guess, Some((&made_up, 0)))["resumed"],
        false
    );
    assert_eq!(my_data(&mut guess)["data"], Value::Null, "nothing to see");
    let other_widget = crate::visitor::widget(&server, false);
    let mut foreign = visitor(&server, &other_widget);
    assert_eq!(
        hello_only(&mut foreign, Some((&anna_token, 0)))["resumed"],
        false
    );
    assert_eq!(my_data(&mut foreign)["data"], Value::Null);
    // No frame takes an id from the visitor: one naming Anna's conversation is refused.
    guess.send(json!({"v": 1, "type": "data", "conversation": anna_id.to_string()}));
    assert_eq!(guess.recv_type("data")["data"], Value::Null);

    // The rightful holder on a new socket (resumed with the token) sees it again.
    let mut back = visitor(&server, &w);
    hello(&mut back, Some((&anna_token, 2)));
    assert_eq!(texts_of(&my_data(&mut back)["data"]).len(), 2);

    // Privacy mode: no technical data, and the view says so by its absence.
    let private = crate::privacy_mode::widget_with(&server, &[("privacy_mode", "on")]);
    let (mut p, _, _) = chatting(&server, &private, &["privat"]);
    assert_eq!(my_data(&mut p)["data"]["technical"], Value::Null);

    // Before any message there is nothing stored.
    let mut fresh = visitor(&server, &w);
    hello(&mut fresh, None);
    assert_eq!(my_data(&mut fresh)["data"], Value::Null);
});

/// HTML entities back to text (askama writes numeric ones).
fn unescape(html: &str) -> String {
    [
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(html.to_string(), |t, (entity, c)| t.replace(entity, c))
}

fn get(server: &TestServer, url: &str) -> crate::support::client::Response {
    server.client().get(url)
}

both_backends!(downloads_work_once_and_escape_the_page, |db| {
    let server = TestServer::start(db);
    let w = crate::privacy_mode::widget_with(&server, &[]);
    let (mut ws, _, id) = chatting(&server, &w, &["Erste Frage", SCRIPT]);
    identify(&mut ws, "Anna <b>Beispiel</b>", "anna@example.de");
    let frame = my_data(&mut ws);
    let json_url = frame["json_url"].as_str().unwrap().to_string();
    let html_url = frame["html_url"].as_str().unwrap().to_string();

    let r = get(&server, &json_url);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let exported: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(exported["conversation"], id.to_string());
    assert_eq!(texts_of(&exported), ["Erste Frage", SCRIPT]);
    assert_eq!(exported["email"], "anna@example.de");
    assert_eq!(get(&server, &json_url).status, 404, "one use only");

    let r = get(&server, &html_url);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    let page = &r.body;
    assert!(
        unescape(page).contains(SCRIPT) && !page.contains(SCRIPT),
        "there, escaped: {page}"
    );
    assert!(!page.contains("<script"), "no script at all: {page}");
    assert!(!page.contains("<b>"), "the name is escaped too");
    assert!(page.contains("Erste Frage") && page.contains("anna@example.de"));
    assert!(
        !page.contains("src=") && !page.contains("http://") && !page.contains("<link"),
        "no outside resource"
    );
    assert!(
        page.contains("Was über Sie gespeichert ist"),
        "in the consent's language"
    );
    assert_eq!(get(&server, &html_url).status, 404);

    // A newer data view replaces the older address: two tickets per conversation at most.
    let older = my_data(&mut ws)["json_url"].as_str().unwrap().to_string();
    let newer = my_data(&mut ws)["json_url"].as_str().unwrap().to_string();
    assert_eq!(get(&server, &older).status, 404);
    assert_eq!(get(&server, &newer).status, 200);

    // A ticket expires after five minutes; malformed tickets name the field.
    let late = my_data(&mut ws)["json_url"].as_str().unwrap().to_string();
    server.clock.advance(chrono::TimeDelta::minutes(6));
    assert_eq!(get(&server, &late).status, 404);
    let bad = get(&server, "/widget/data?t=%3Cx%3E");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains('t'), "{}", bad.body);
    assert_eq!(
        get(&server, &format!("/widget/data?t={}", "B".repeat(43))).status,
        404
    );
});

both_backends!(self_service_frames_are_validated, |db| {
    let server = TestServer::start(db);
    let w = crate::visitor::widget(&server, false);
    let mut ws = visitor(&server, &w);
    hello(&mut ws, None);
    ws.send(json!({"v": 1, "type": "identify", "email": "anna@example.de"}));
    assert_eq!(ws.recv_type("error")["code"], "unexpected", "no chat yet");
    say(&mut ws, "a", "Hallo");
    ws.recv_type("ack");
    for bad in [
        json!({"v": 1, "type": "identify"}),
        json!({"v": 1, "type": "identify", "email": "keine-adresse"}),
        json!({"v": 1, "type": "identify", "name": "x".repeat(201)}),
    ] {
        ws.send(bad);
        assert_eq!(ws.recv_type("error")["code"], "bad_contact");
    }
    let stored: Option<Vec<u8>> = conversations::table
        .select(conversations::visitor_email_enc)
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(stored, None, "refused frames store nothing");
});

both_backends!(
    an_offline_message_is_the_visitors_own_while_the_socket_lasts,
    |db| {
        let server = TestServer::start(db);
        let w = crate::visitor::widget(&server, false);
        let mut ws = visitor(&server, &w);
        hello(&mut ws, None);
        ws.send(json!({"v": 1, "type": "offline", "id": "o1", "text": "Rückruf bitte", "name": "Anna", "email": "anna@example.de"}));
        ws.recv_type("ack");
        let data = my_data(&mut ws)["data"].clone();
        assert_eq!(data["status"], "offline");
        assert_eq!(
            (data["name"].as_str(), data["email"].as_str()),
            (Some("Anna"), Some("anna@example.de"))
        );
        assert_eq!(texts_of(&data), ["Rückruf bitte"]);
        let before = crate::support::scan::row_counts(&server);
        assert_eq!((before["conversations"], before["contacts"]), (1, 1));
        ws.send(json!({"v": 1, "type": "erase"}));
        ws.recv_type("erased");
        let after = crate::support::scan::row_counts(&server);
        for table in ["conversations", "messages", "consents", "contacts"] {
            assert_eq!(after[table], 0, "{table}");
        }
        assert_eq!(after["erasure_journal"], 1);
    }
);
