//! The consent gate in real headless Chromium: before Accept the browser holds no cookie, no
//! localStorage, sessionStorage or IndexedDB entry, no websocket is open and no row is
//! written; Decline stores nothing; Accept starts a chat whose consent record names the
//! notice shown. Screenshots (desktop and 360 px) land in target/browser-artifacts/.

use crate::support::scan::row_counts;
use crate::support::webdriver::{Browser, Driver};
use crate::support::ws::{Ws, open};
use crate::support::{Db, TestServer};
use plauder::widget::lang::VisitorLang;
use plauder::widget::notice::Notice;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// What the current document keeps in the browser: cookies, both web storages and the
/// names of its IndexedDB databases (read asynchronously, then polled).
fn browser_storage(v: &Browser) -> Value {
    v.js(
        "window.__probe = null; \
         (indexedDB.databases ? indexedDB.databases() : Promise.resolve([])).then(function (d) { \
           window.__probe = { cookie: document.cookie, local: localStorage.length, \
             session: sessionStorage.length, idb: d.map(function (x) { return x.name; }) }; }); \
         return true;",
        vec![],
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let probe = v.js("return window.__probe", vec![]);
        if !probe.is_null() {
            return probe;
        }
        assert!(
            Instant::now() < deadline,
            "the storage probe did not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn is_empty(storage: &Value) -> bool {
    storage == &json!({"cookie": "", "local": 0, "session": 0, "idb": []})
}

/// The probe must see what it looks for: plant one of each, find them, remove them.
fn probe_finds_planted_entries(v: &Browser, url: &str) {
    v.goto(url);
    v.wait_for("the page", "return document.readyState === 'complete'");
    assert!(
        is_empty(&browser_storage(v)),
        "a fresh profile starts empty"
    );
    v.js(
        "window.__planted = false; localStorage.setItem('planted', '1'); \
         sessionStorage.setItem('planted', '1'); document.cookie = 'planted=1; Secure; SameSite=Lax'; \
         var r = indexedDB.open('planted'); r.onsuccess = function () { r.result.close(); window.__planted = true; }; \
         return true;",
        vec![],
    );
    v.wait_for("the planted entries", "return window.__planted === true");
    let seen = browser_storage(v);
    assert_eq!(seen["cookie"], "planted=1", "{seen}");
    assert_eq!(
        (seen["local"].as_i64(), seen["session"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(seen["idb"], json!(["planted"]));
    v.js(
        "window.__gone = false; localStorage.clear(); sessionStorage.clear(); \
         document.cookie = 'planted=; Max-Age=0; Secure; SameSite=Lax'; \
         var r = indexedDB.deleteDatabase('planted'); r.onsuccess = function () { window.__gone = true; }; \
         return true;",
        vec![],
    );
    v.wait_for("the cleaned profile", "return window.__gone === true");
    assert!(is_empty(&browser_storage(v)));
}

/// Opens the launcher on the host page and enters the chat iframe.
fn open_chat(v: &Browser, page: &str) {
    v.leave_frames();
    v.goto(page);
    v.wait_for(
        "the launcher",
        "return document.getElementById('plauder-widget') !== null",
    );
    v.click(&v.find_in_shadow("#plauder-widget", "button"));
    v.enter_frame(&v.find_in_shadow("#plauder-widget", "iframe"));
    v.wait_for(
        "the chat page",
        "return document.readyState === 'complete' && !!document.getElementById('consent')",
    );
}

fn shown(v: &Browser, id: &str) -> bool {
    v.js(
        &format!("return !document.getElementById('{id}').hidden"),
        vec![],
    ) == json!(true)
}

/// Host page and iframe both hold nothing, and the server has no visitor socket and no
/// new row.
fn assert_nothing_anywhere(
    v: &Browser,
    server: &TestServer,
    baseline: &std::collections::BTreeMap<String, i64>,
    when: &str,
) {
    assert!(is_empty(&browser_storage(v)), "iframe, {when}");
    v.leave_frames();
    assert!(is_empty(&browser_storage(v)), "host page, {when}");
    v.enter_frame(&v.find_in_shadow("#plauder-widget", "iframe"));
    assert_eq!(
        server.state.limits.tracked_addresses(),
        0,
        "no visitor websocket, {when}"
    );
    assert_eq!(&row_counts(server), baseline, "no row, {when}");
}

fn operator(server: &TestServer) -> Ws {
    let admin = server.admin();
    let cookie = format!("__Host-plauder={}", admin.cookies["__Host-plauder"]);
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

fn answer_waiting(op: &mut Ws, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let id = loop {
        assert!(Instant::now() < deadline, "no waiting conversation");
        let q = op.recv_queue();
        if let Some(c) = q["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "waiting")
        {
            break c["id"].as_str().unwrap().to_string();
        }
    };
    op.send(json!({"type": "take", "conversation": id}));
    op.send(
        json!({"type": "send", "conversation": id, "id": format!("r{}", id.len()), "text": text}),
    );
    op.recv_type("ack");
}

fn chat_until_reply(v: &Browser, op: &mut Ws, question: &str, reply: &str) {
    v.wait_for(
        "the composer",
        "return !document.getElementById('composer').hidden",
    );
    v.type_into(&v.find("#text"), question);
    v.click(&v.find("#composer button.send"));
    v.wait_for("the ack", "return document.querySelectorAll('#log li.visitor').length > 0 && !document.querySelector('#log li.pending')");
    answer_waiting(op, reply);
    v.wait_for(
        "the reply",
        &format!("return [].some.call(document.querySelectorAll('#log li.operator'), function (li) {{ return li.textContent.indexOf('{reply}') >= 0; }})"),
    );
}

#[test]
fn nothing_before_consent_decline_stores_nothing_accept_chats() {
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let origin = format!("http://127.0.0.1:{port}");
    let form = |resumable: bool| plauder::widget::settings::WidgetForm {
        name: "Beispiel-Shop".into(),
        allowed_origins: origin.clone(),
        greeting: "Moin! Wie können wir helfen?".into(),
        accent_color: "#2d4a3e".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        privacy_policy_url: "https://www.beispiel-shop.de/datenschutz".into(),
        decline_contact: "Telefon 0800 123 456 (Mo–Fr 8–18 Uhr)\nservice@beispiel-shop.de".into(),
        privacy_mode: Some("on".into()),
        resumable_id: resumable.then(|| "on".into()),
        ..Default::default()
    };
    let now = chrono::Utc::now().naive_utc();
    let widget =
        plauder::db::widgets::insert(&mut server.conn(), &form(false).validate().unwrap(), now)
            .unwrap();
    let html = format!(
        "<!doctype html><html lang=de><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>Beispiel-Shop</title></head>\
         <body style=\"font-family:sans-serif;margin:2rem\"><h1>Beispiel-Shop</h1><p>Kaffee, Tee und Zubehör.</p>\
         <script src=\"{plauder}/widget.js\" data-widget=\"{}\" async></script></body></html>",
        widget.public_id
    );
    let page = crate::browser::serve_on(port, html);
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let mut op = operator(&server);
    let german = Notice::default_for(VisitorLang::De);

    for (width, height, label) in [(1280, 800, "desktop"), (360, 740, "360")] {
        // The previous visitor's browser is gone: its socket closes, its rows stay.
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.state.limits.tracked_addresses() > 0 {
            assert!(
                Instant::now() < deadline,
                "the last visitor socket did not close"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let baseline = row_counts(&server);
        // Decline: nothing anywhere, before and after.
        let v = driver.browser(
            width,
            height,
            &profiles.path().join(format!("decline-{label}")),
        );
        probe_finds_planted_entries(&v, &format!("{plauder}/w/{}", widget.public_id));
        open_chat(&v, &page);
        assert!(shown(&v, "consent") && !shown(&v, "log") && !shown(&v, "composer"));
        assert_eq!(
            v.js("return document.body.getAttribute('data-notice')", vec![]),
            json!(german.hash),
            "the page names the notice it shows"
        );
        assert_nothing_anywhere(&v, &server, &baseline, "while the notice is shown");
        v.shot(&format!("consent-notice-{label}"));
        v.click(&v.find("#decline"));
        v.wait_for(
            "the decline screen",
            "return !document.getElementById('declined').hidden",
        );
        let text = v.js(
            "return document.getElementById('declined').textContent",
            vec![],
        );
        assert!(
            text.as_str().unwrap().contains("0800 123 456"),
            "the contact is offered"
        );
        std::thread::sleep(Duration::from_millis(300));
        assert_nothing_anywhere(&v, &server, &baseline, "after decline");
        v.shot(&format!("consent-declined-{label}"));
        drop(v);

        // Accept: the chat works and the record names the notice shown.
        let v = driver.browser(
            width,
            height,
            &profiles.path().join(format!("accept-{label}")),
        );
        open_chat(&v, &page);
        assert_nothing_anywhere(&v, &server, &baseline, "before accept");
        v.click(&v.find("#accept"));
        chat_until_reply(&v, &mut op, "Habt ihr grünen Tee?", "Ja, drei Sorten.");
        let records: Vec<(String, String)> = {
            use diesel::prelude::*;
            use plauder::db::schema::consents;
            consents::table
                .select((consents::notice_hash, consents::lang))
                .load(&mut *server.conn())
                .unwrap()
        };
        assert!(
            records.contains(&(german.hash.clone(), "de".to_string())),
            "{records:?}"
        );
        let after = browser_storage(&v);
        assert_eq!(
            (after["cookie"].as_str(), after["local"].as_i64()),
            (Some(""), Some(0))
        );
        assert_eq!(
            after["session"], 1,
            "the token, for this browser session only"
        );
        v.shot(&format!("consent-chat-{label}"));
    }

    // Resumable id on: a returning visitor continues; the token is in localStorage.
    plauder::db::widgets::update(
        &mut server.conn(),
        widget.id,
        &form(true).validate().unwrap(),
        now,
    )
    .unwrap();
    let v = driver.browser(1280, 800, &profiles.path().join("returning"));
    open_chat(&v, &page);
    v.click(&v.find("#accept"));
    chat_until_reply(&v, &mut op, "Ich komme wieder.", "Bis bald!");
    assert_eq!(browser_storage(&v)["local"], 1);
    let consents_before = row_counts(&server)["consents"];
    open_chat(&v, &page);
    v.wait_for(
        "the earlier conversation",
        "return [].some.call(document.querySelectorAll('#log li.operator'), function (li) { return li.textContent.indexOf('Bis bald!') >= 0; })",
    );
    assert!(
        !shown(&v, "consent"),
        "no second notice for a consented conversation"
    );
    assert_eq!(row_counts(&server)["consents"], consents_before);
}
