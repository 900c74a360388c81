//! Privacy mode and the other privacy settings of a widget, on both backends: with privacy
//! mode on nothing technical about a visitor reaches the database; with it off operators see
//! the browser, and the address only for 24 hours. Settings are stored and enforced.

use crate::both_backends;
use crate::support::TestServer;
use crate::support::client::{Client, connect};
use crate::support::scan::{anywhere, database_bytes, row_counts};
use crate::support::ws::{Ws, hello, say};
use crate::visitor::SITE;
use crate::widgets::{GOOD, create_widget};
use diesel::prelude::*;
use plauder::clock::Clock as _;
use plauder::db::schema::{conversations, widget_privacy, widgets};
use serde_json::json;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// A widget made through the admin form with these extra fields.
pub fn widget_with(server: &TestServer, extra: &[(&str, &str)]) -> String {
    let mut fields = GOOD.to_vec();
    fields.extend_from_slice(extra);
    create_widget(&mut server.admin(), &fields)
}

/// A visitor socket whose browser sends this user agent.
fn visitor_as(server: &TestServer, widget: &str, user_agent: &str) -> Ws {
    let tls = connect(server.addr, server.tls()).unwrap();
    let mut request = format!("wss://localhost/widget/ws?w={widget}")
        .into_client_request()
        .unwrap();
    let headers = request.headers_mut();
    headers.insert("Origin", SITE.parse().unwrap());
    headers.insert("User-Agent", user_agent.parse().unwrap());
    Ws::from(tungstenite::client::client(request, tls).unwrap().0)
}

/// hello with the embedding page, consent, one message; returns the conversation id.
pub fn chat(server: &TestServer, widget: &str, user_agent: &str, page: &str) -> i64 {
    let mut ws = visitor_as(server, widget, user_agent);
    ws.send(
        json!({"v": 1, "type": "hello", "page": page, "referrer": "https://www.suche.example/"}),
    );
    ws.recv_type("welcome");
    ws.send(crate::support::ws::default_consent());
    ws.recv_type("consented");
    say(&mut ws, "m1", "Hallo");
    ws.recv_type("ack");
    conversations::table
        .select(conversations::id)
        .order(conversations::id.desc())
        .first(&mut *server.conn())
        .unwrap()
}

fn transcript(server: &TestServer, id: i64) -> String {
    let r = server.admin().get(&format!("/console/conversations/{id}"));
    assert_eq!(r.status, 200);
    r.body
}

both_backends!(privacy_mode_stores_and_shows_nothing_technical, |db| {
    let server = TestServer::start(db);
    let w = widget_with(&server, &[("privacy_mode", "on")]);
    let marker = format!("UaMarker{}", rand_digits());
    // The probe must see a marker planted the honest way: a canned response (not personal).
    let planted = format!("Planted{}", rand_digits());
    plauder::db::canned::insert(
        &mut server.conn(),
        "planted",
        &planted,
        server.clock.now().naive_utc(),
    )
    .unwrap();
    assert!(
        anywhere(&database_bytes(&server, db), &planted),
        "the probe finds a planted marker"
    );

    let id = chat(
        &server,
        &w,
        &format!("{FIREFOX} {marker}"),
        &format!("https://shop.example.de/{marker}"),
    );
    assert_eq!(
        row_counts(&server)["conversation_meta"],
        0,
        "no technical row at all"
    );
    assert!(
        !anywhere(&database_bytes(&server, db), &marker),
        "the user agent and page are nowhere"
    );
    let page = transcript(&server, id);
    assert!(!page.contains("Firefox") && !page.contains("127.0.0.1"));
    assert!(page.contains("None stored (privacy mode)."));
    assert!(
        page.contains("Accepted notice version"),
        "the consent is shown"
    );
});

both_backends!(
    without_privacy_mode_operators_see_the_browser_for_a_while,
    |db| {
        let server = TestServer::start(db);
        let w = widget_with(&server, &[]);
        // The admin's country database (the widget router's) maps 127.0.0.0/8 to Austria.
        server
            .state
            .widget_router
            .install_geo(crate::router::mmdb::test_countries())
            .unwrap();
        let marker = format!("UaMarker{}", rand_digits());
        let id = chat(
            &server,
            &w,
            &format!("{FIREFOX} {marker}"),
            "https://shop.example.de/kasse?mail=x@y.de",
        );
        assert_eq!(row_counts(&server)["conversation_meta"], 1);
        assert!(
            !anywhere(&database_bytes(&server, db), &marker),
            "stored, but only encrypted"
        );
        let page = transcript(&server, id);
        for shown in [
            "Firefox 128",
            "Linux",
            "127.0.0.1",
            "https://shop.example.de/kasse",
            "https://www.suche.example/",
            "<dd>AT</dd>",
            &marker,
        ] {
            assert!(page.contains(shown), "{shown} shown to the operator");
        }
        assert!(!page.contains("mail=x@y.de"), "no query string kept");
        let meta = plauder::db::visitor_meta::for_conversation(
            &mut server.conn(),
            &server.state.ring,
            plauder::db::conversations::ConversationId(id),
            server.clock.now().naive_utc(),
        )
        .unwrap()
        .unwrap();
        let expires = meta.ip_expires_at.unwrap();
        let created: chrono::NaiveDateTime = conversations::table
            .find(id)
            .select(conversations::created_at)
            .first(&mut *server.conn())
            .unwrap();
        assert_eq!(
            expires - created,
            chrono::TimeDelta::hours(24),
            "the expiry is stored"
        );

        server.clock.advance(chrono::TimeDelta::hours(25));
        let page = transcript(&server, id);
        assert!(
            !page.contains("127.0.0.1"),
            "an expired address is not shown"
        );
        assert!(page.contains("deleted after 24 hours") && page.contains("Firefox 128"));
    }
);

both_backends!(
    privacy_mode_forces_the_typing_preview_and_identity_recognition_off,
    |db| {
        let server = TestServer::start(db);
        let w = widget_with(
            &server,
            &[
                ("privacy_mode", "on"),
                ("typing_preview", "on"),
                ("identity_recognition", "on"),
            ],
        );
        let stored: (bool, bool) = widgets::table
            .inner_join(widget_privacy::table)
            .filter(widgets::public_id.eq(&w))
            .select((
                widgets::typing_preview,
                widget_privacy::identity_recognition,
            ))
            .first(&mut *server.conn())
            .unwrap();
        assert_eq!(
            stored,
            (false, false),
            "the form's checkboxes are overruled on save"
        );
        // Even a row switched on behind the server's back stays off.
        diesel::update(widgets::table.filter(widgets::public_id.eq(&w)))
            .set(widgets::typing_preview.eq(true))
            .execute(&mut *server.conn())
            .unwrap();
        diesel::update(widget_privacy::table)
            .set(widget_privacy::identity_recognition.eq(true))
            .execute(&mut *server.conn())
            .unwrap();
        let loaded = plauder::db::widgets::by_public_id(&mut server.conn(), &w)
            .unwrap()
            .unwrap();
        assert!(!loaded.settings.typing_preview && !loaded.settings.privacy.identity_recognition);

        let mut op = operator(&server, &server.admin());
        let mut v = crate::visitor::visitor(&server, &w);
        assert_eq!(hello(&mut v, None)["typing_preview"], false);
        say(&mut v, "p1", "Hallo");
        v.recv_type("ack");
        let id = waiting(&mut op);
        op.send(json!({"type": "open", "conversation": id}));
        assert_eq!(op.recv_type("transcript")["preview"], false);
        v.send(json!({"v": 1, "type": "typing", "active": true, "text": "Entwurf 42"}));
        op.recv_type("typing");
        let deadline = Instant::now() + Duration::from_millis(400);
        op.0.get_ref()
            .sock
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        while Instant::now() < deadline {
            if let Ok(tungstenite::Message::Text(t)) = op.0.read() {
                assert!(
                    !t.contains("Entwurf"),
                    "preview leaked in privacy mode: {t}"
                );
            }
        }
    }
);

both_backends!(privacy_settings_are_stored_shown_and_validated, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    let new_form = admin.get("/admin/widgets/new");
    assert!(
        new_form.body.contains("name=\"privacy_mode\" checked"),
        "privacy by default"
    );
    assert!(
        new_form.body.contains("No privacy policy address yet"),
        "the form warns"
    );
    let w = widget_with(
        &server,
        &[
            ("privacy_policy_url", "https://www.example.de/datenschutz"),
            ("decline_contact", "Telefon 0800 123 456\ninfo@example.de"),
            ("resumable_id", "on"),
            ("withdrawal_policy", "keep_until_retention"),
        ],
    );
    let row: (String, String, bool, bool, String) = widget_privacy::table
        .select((
            widget_privacy::privacy_policy_url,
            widget_privacy::decline_contact,
            widget_privacy::privacy_mode,
            widget_privacy::resumable_id,
            widget_privacy::withdrawal_policy,
        ))
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(
        row,
        (
            "https://www.example.de/datenschutz".into(),
            "Telefon 0800 123 456\ninfo@example.de".into(),
            false,
            true,
            "keep_until_retention".into()
        )
    );
    let edit = admin.get(&format!("/admin/widgets/{w}"));
    assert!(
        edit.body
            .contains("value=\"keep_until_retention\" selected")
    );
    assert!(!edit.body.contains("No privacy policy address yet"));
    let frame = server.client().get(&format!("/w/{w}"));
    assert!(
        frame
            .body
            .contains("href=\"https://www.example.de/datenschutz\"")
    );
    assert!(frame.body.contains("Telefon 0800 123 456"));
    assert!(
        frame.body.contains("data-resumable=\"1\"") && frame.body.contains("data-capture=\"1\"")
    );

    // Bad values: 400, the field named, nothing changed.
    for (field, value, says) in [
        (
            "privacy_policy_url",
            "http://www.example.de/datenschutz",
            "starting with https://",
        ),
        (
            "withdrawal_policy",
            "forever",
            "Choose one of the two options.",
        ),
        (
            "decline_contact",
            &"x".repeat(501),
            "At most 500 characters.",
        ),
    ] {
        let mut fields = GOOD.to_vec();
        fields.push((field, value));
        let csrf = edit.csrf();
        fields.push(("csrf", &csrf));
        let r = admin.post(&format!("/admin/widgets/{w}"), &fields);
        assert_eq!(r.status, 400, "{field}");
        assert!(r.body.contains(says), "{field}: {}", r.body);
        assert!(r.body.contains("aria-invalid=\"true\""));
    }
    let after: String = widget_privacy::table
        .select(widget_privacy::withdrawal_policy)
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(after, "keep_until_retention", "nothing changed");
});

fn operator(server: &TestServer, client: &Client) -> Ws {
    let cookie = format!("__Host-plauder={}", client.cookies["__Host-plauder"]);
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

fn waiting(op: &mut Ws) -> String {
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

fn rand_digits() -> String {
    u64::from_be_bytes(plauder::crypto::random_bytes::<8>().unwrap()).to_string()
}
