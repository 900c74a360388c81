//! Data masking end to end, on both backends: card numbers and IBANs a visitor or operator
//! writes are masked before storage and display; the visitor is told; the unmasked digits
//! are nowhere in the database files; admin patterns are validated when saved.

mod admin;
mod browser;

use crate::both_backends;
use crate::support::TestServer;
use crate::support::client::Client;
use crate::support::scan::{anywhere, database_bytes};
use crate::support::ws::{Ws, hello, open, say};
use crate::visitor::{visitor, widget};
use diesel::prelude::*;
use plauder::db::conversations::ConversationId;
use plauder::db::schema::conversations;
use serde_json::json;
use std::time::{Duration, Instant};

/// A random digit string; numbers differ per test run, so a scan of shared files (the
/// PostgreSQL WAL) cannot see another test's numbers.
fn random_digits(n: usize) -> String {
    let bytes = plauder::crypto::random_bytes::<32>().unwrap();
    bytes[..n]
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// A Visa-like 16-digit number whose last digit makes the Luhn check pass.
fn card_number() -> String {
    let body = format!("4{}", random_digits(14));
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            // The check digit will sit to the right, so the rightmost body digit doubles.
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A German IBAN with valid check digits and a random account part.
fn iban() -> String {
    let bban = random_digits(18);
    // mod 97 of BBAN + "DE00" with D=13, E=14.
    let rest = format!("{bban}131400")
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - rest)
}

fn grouped(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A visitor socket that said hello and accepted the privacy notice (`hello` does both).
fn consented_visitor(server: &TestServer, widget: &str) -> Ws {
    let mut v = visitor(server, widget);
    hello(&mut v, None);
    v
}

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

fn waiting_conversation(op: &mut Ws) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let q = op.recv_queue();
        if let Some(c) = q["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "waiting")
        {
            return c["id"].as_str().unwrap().to_string();
        }
    }
    panic!("no waiting conversation");
}

/// What the app itself reads back (decrypted) for a conversation.
fn stored_texts(server: &TestServer, id: i64) -> Vec<String> {
    plauder::db::messages::after(
        &mut server.conn(),
        &server.state.ring,
        ConversationId(id),
        0,
        true,
        100,
    )
    .unwrap()
    .into_iter()
    .map(|m| m.text)
    .collect()
}

both_backends!(card_numbers_and_ibans_are_masked_before_storage, |db| {
    let server = TestServer::start(db);
    let card = card_number();
    let iban = iban();
    let w = widget(&server, false);
    // A non-personal marker, planted the honest way, for the probe to find.
    let marker = format!("plantedmarker{}", random_digits(12));
    plauder::db::canned::insert(
        &mut server.conn(),
        "marker",
        &marker,
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    let mut op = operator(&server, &server.admin());
    let mut v = consented_visitor(&server, &w);
    let sent = format!(
        "Meine Karte ist {} und die IBAN {} – danke",
        grouped(&card),
        grouped(&iban)
    );
    say(&mut v, "m1", &sent);
    let notice = v.recv_type("masked");
    let card_masked = format!("•••• •••• •••• {}", &card[12..]);
    let iban_masked = format!("DE•• •••• •••• •••• •••• {}", &iban[18..]);
    let expected = format!("Meine Karte ist {card_masked} und die IBAN {iban_masked} – danke");
    assert_eq!(notice["id"], "m1");
    assert_eq!(notice["kinds"], json!(["card", "iban"]));
    assert_eq!(notice["text"], expected.as_str());
    assert_eq!(v.recv_type("ack")["id"], "m1");

    // A number failing Luhn passes unchanged, and no notice comes for it.
    let wrong = format!("{}{}", &card[..15], (card.as_bytes()[15] - b'0' + 1) % 10);
    say(&mut v, "m2", &format!("Bestellnummer {wrong}"));
    let next = v.recv();
    assert_eq!(
        (next["type"].as_str(), next["id"].as_str()),
        (Some("ack"), Some("m2"))
    );

    let id = waiting_conversation(&mut op);
    op.send(json!({"type": "open", "conversation": id}));
    let transcript = op.recv_type("transcript");
    assert_eq!(
        transcript["lines"][0]["text"],
        expected.as_str(),
        "the operator sees the masked text"
    );
    assert_eq!(
        transcript["lines"][1]["text"],
        format!("Bestellnummer {wrong}").as_str()
    );

    // The operator's reply is masked too, for the visitor and in storage.
    op.send(json!({"type": "send", "conversation": id, "id": "r1", "text": format!("Ihre Karte {card}?")}));
    let ack = op.recv_type("ack");
    assert_eq!(
        ack["masked"],
        format!("Ihre Karte {card_masked}?").as_str(),
        "the console shows its own reply as stored"
    );
    let reply = v.recv_type("message");
    assert_eq!(reply["text"], format!("Ihre Karte {card_masked}?").as_str());

    let conversation: i64 = conversations::table
        .select(conversations::id)
        .first(&mut *server.conn())
        .unwrap();
    let texts = stored_texts(&server, conversation);
    assert_eq!(
        texts,
        [
            expected.clone(),
            format!("Bestellnummer {wrong}"),
            format!("Ihre Karte {card_masked}?")
        ],
        "what the app reads back (decrypted) is masked"
    );

    let bytes = database_bytes(&server, db);
    assert!(
        anywhere(&bytes, &marker),
        "the probe finds the planted marker"
    );
    for needle in [
        card.clone(),
        grouped(&card),
        card[..12].to_string(),
        iban.clone(),
        grouped(&iban),
        iban[4..16].to_string(),
    ] {
        assert!(!anywhere(&bytes, &needle), "{needle} is in the database");
    }
});

both_backends!(offline_messages_and_admin_patterns_are_masked, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, false);
    let card = card_number();
    let mut admin = server.admin();
    let page = admin.get(&format!("/admin/widgets/{w}/masking"));
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let r = admin.post(
        &format!("/admin/widgets/{w}/masking"),
        &[
            ("csrf", csrf.as_str()),
            ("mask_cards", "on"),
            ("mask_ibans", "on"),
            ("patterns", "KD-\\d{6}"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    let mut v = consented_visitor(&server, &w);
    v.send(json!({"v": 1, "type": "offline", "id": "o1", "text": format!("Kunde KD-123456, Karte {card}")}));
    let notice = v.recv_type("masked");
    assert_eq!(notice["kinds"], json!(["card", "pattern"]));
    v.recv_type("ack");
    let conversation: i64 = conversations::table
        .select(conversations::id)
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(
        stored_texts(&server, conversation),
        [format!("Kunde •••, Karte •••• •••• •••• {}", &card[12..])]
    );
});

both_backends!(the_typing_preview_hides_numbers_while_typed, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, true);
    let card = card_number();
    let mut op = operator(&server, &server.admin());
    let mut v = consented_visitor(&server, &w);
    say(&mut v, "p1", "Hallo");
    v.recv_type("ack");
    let id = waiting_conversation(&mut op);
    op.send(json!({"type": "open", "conversation": id}));
    assert_eq!(op.recv_type("transcript")["preview"], true);
    for (typed, shown) in [
        (
            "Hallo, Bestellung 4711".to_string(),
            "Hallo, Bestellung 4711".to_string(),
        ),
        (
            format!("Karte {}", grouped(&card[..10])),
            "Karte •••".to_string(),
        ),
        (
            format!("Karte {}", grouped(&card)),
            format!("Karte •••• •••• •••• {}", &card[12..]),
        ),
    ] {
        v.send(json!({"v": 1, "type": "typing", "active": true, "text": typed}));
        assert_eq!(op.recv_type("preview")["text"], shown.as_str(), "{typed}");
    }
});
