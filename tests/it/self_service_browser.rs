//! "Your data" in real headless Chromium (desktop and 360 px): after Accept and a chat, the
//! visitor opens the data view (name, messages, consent), downloads the JSON once, deletes
//! with a confirmation; then the database holds no row of that visitor but the journal's,
//! and the iframe keeps no storage entry. Screenshots land in target/browser-artifacts/.

use crate::support::scan::row_counts;
use crate::support::webdriver::{Browser, Driver, artifacts};
use crate::support::ws::{Ws, open};
use crate::support::{Db, TestServer};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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

/// Takes the waiting conversation and answers it.
fn answer(op: &mut Ws, text: &str) {
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
    op.send(
        json!({"type": "send", "conversation": id, "id": format!("r{}", id.len()), "text": text}),
    );
    op.recv_type("ack");
}

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

fn storage(v: &Browser) -> Value {
    v.js(
        "return { cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }",
        vec![],
    )
}

#[test]
fn visitor_sees_downloads_and_deletes_their_data() {
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let form = plauder::widget::settings::WidgetForm {
        name: "Beispiel-Shop".into(),
        allowed_origins: format!("http://127.0.0.1:{port}"),
        greeting: "Moin! Wie können wir helfen?".into(),
        accent_color: "#2d4a3e".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        privacy_policy_url: "https://www.beispiel-shop.de/datenschutz".into(),
        privacy_mode: Some("on".into()),
        ..Default::default()
    };
    let now = chrono::Utc::now().naive_utc();
    let widget =
        plauder::db::widgets::insert(&mut server.conn(), &form.validate().unwrap(), now).unwrap();
    let html = format!(
        "<!doctype html><html lang=de><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>Beispiel-Shop</title></head>\
         <body style=\"font-family:sans-serif;margin:2rem\"><h1>Beispiel-Shop</h1><p>Kaffee, Tee und Zubehör.</p>\
         <script src=\"{plauder}/widget.js\" data-widget=\"{}\" async></script></body></html>",
        widget.public_id
    );
    let page = crate::browser::serve_on(port, html);
    let shots = artifacts();
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let mut op = operator(&server);
    let export = shots.join("self-service-export.html");

    for (width, height, label) in [(1280, 800, "desktop"), (360, 740, "360")] {
        let baseline = row_counts(&server);
        let v = driver.browser(width, height, &profiles.path().join(label));
        open_chat(&v, &page);
        assert!(
            v.js(
                "return document.getElementById('mydata-open').hidden",
                vec![]
            ) == json!(true),
            "no data menu before consent"
        );
        v.click(&v.find("#accept"));
        v.wait_for(
            "the composer",
            "return !document.getElementById('composer').hidden",
        );
        v.type_into(&v.find("#text"), "Habt ihr grünen Tee?");
        v.click(&v.find("#composer button.send"));
        v.wait_for("the ack", "return document.querySelectorAll('#log li.visitor').length > 0 && !document.querySelector('#log li.pending')");
        answer(&mut op, "Ja, drei Sorten.");
        v.wait_for(
            "the reply",
            "return document.querySelectorAll('#log li.operator').length > 0",
        );
        // The optional name and e-mail fields.
        v.click(&v.find("#identify summary"));
        v.type_into(&v.find("#id-name"), "Anna Beispiel");
        v.type_into(&v.find("#id-email"), "anna@example.de");
        v.shot(&format!("self-service-chat-{label}"));
        v.click(&v.find("#identify-form button.send"));
        v.wait_for("saved", "return document.getElementById('identify').hidden");
        assert_eq!(storage(&v)["session"], 1, "the token, kept for the session");
        let during = row_counts(&server);
        assert_eq!(during["conversations"], baseline["conversations"] + 1);
        assert_eq!(during["contacts"], baseline["contacts"] + 1);

        v.click(&v.find("#mydata-open"));
        v.wait_for("the data view", "return !!document.querySelector('#md-body dl') && !document.getElementById('md-json').hidden");
        let shown = v.js(
            "return document.getElementById('md-body').textContent",
            vec![],
        );
        let shown = shown.as_str().unwrap();
        for expected in [
            "Anna Beispiel",
            "anna@example.de",
            "Habt ihr grünen Tee?",
            "Ja, drei Sorten.",
        ] {
            assert!(shown.contains(expected), "{expected} in {shown}");
        }
        v.shot(&format!("self-service-data-{label}"));
        // The download address works once (fetched here instead of saved to disk).
        let fetched = v.js(
            "window.__dl = null; var u = document.getElementById('md-json').getAttribute('href'); \
             fetch(u).then(function (r) { return r.text().then(function (t) { \
               return fetch(u).then(function (again) { window.__dl = { status: r.status, body: t, again: again.status }; }); }); }); \
             return u;",
            vec![],
        );
        assert!(fetched.as_str().unwrap().starts_with("/widget/data?t="));
        v.wait_for("the download", "return window.__dl !== null");
        let dl = v.js("return window.__dl", vec![]);
        assert_eq!(
            (dl["status"].as_i64(), dl["again"].as_i64()),
            (Some(200), Some(404))
        );
        assert!(
            dl["body"]
                .as_str()
                .unwrap()
                .contains("Habt ihr grünen Tee?")
        );

        // The readable page, kept to be looked at after the loop.
        v.js(
            "window.__page = null; fetch(document.getElementById('md-html').getAttribute('href')) \
             .then(function (r) { return r.text(); }).then(function (t) { window.__page = t; }); return true;",
            vec![],
        );
        v.wait_for("the readable page", "return window.__page !== null");
        let exported = v.js("return window.__page", vec![]);
        std::fs::write(&export, exported.as_str().unwrap()).unwrap();

        // The data view above left an audit entry; from here on nothing changes.
        let during = row_counts(&server);
        v.click(&v.find("#md-delete"));
        v.wait_for(
            "the confirmation",
            "return !document.getElementById('md-confirm').hidden",
        );
        v.shot(&format!("self-service-confirm-{label}"));
        assert_eq!(
            row_counts(&server),
            during,
            "nothing happens before the confirmation"
        );
        v.click(&v.find("#md-yes"));
        v.wait_for(
            "the deletion",
            "return !document.getElementById('md-done').hidden",
        );
        v.shot(&format!("self-service-deleted-{label}"));

        let after = row_counts(&server);
        for table in [
            "conversations",
            "messages",
            "consents",
            "contacts",
            "conversation_meta",
        ] {
            assert_eq!(
                after[table], baseline[table],
                "{table}: the visitor's rows are gone"
            );
        }
        assert_eq!(after["erasure_journal"], baseline["erasure_journal"] + 1);
        let kept = storage(&v);
        assert_eq!(
            kept,
            json!({"cookie": "", "local": 0, "session": 0}),
            "the widget forgot its token"
        );
        let text = v.js("return document.body.innerText", vec![]);
        assert!(
            !text.as_str().unwrap().contains("Habt ihr"),
            "nothing of the chat stays on screen"
        );
    }
    // The downloaded page on its own, as the visitor opens the saved file.
    for (width, height, label) in [(1280, 800, "desktop"), (360, 740, "360")] {
        let b = driver.browser(
            width,
            height,
            &profiles.path().join(format!("file-{label}")),
        );
        b.goto(&format!("file://{}", export.display()));
        b.wait_for("the page", "return document.readyState === 'complete'");
        let title = b.js("return document.querySelector('h1').textContent", vec![]);
        assert_eq!(title, json!("Was über Sie gespeichert ist"));
        b.shot(&format!("self-service-export-{label}"));
    }
}

/// Identity recognition in the console: the earlier conversation of the same address is
/// listed with a link to its transcript (desktop and 360 px, and the transcript page).
#[test]
fn operator_sees_the_contacts_earlier_conversation() {
    use crate::self_service::{chatting, identify};
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let w = crate::privacy_mode::widget_with(&server, &[("identity_recognition", "on")]);
    let (mut first, _, first_id) = chatting(&server, &w, &["Wann liefert ihr?"]);
    identify(&mut first, "Anna Beispiel", "anna@example.de");
    let (mut second, _, second_id) = chatting(&server, &w, &["Ich bin es wieder."]);
    identify(&mut second, "Anna", "Anna@Example.de");
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, height, label) in [(1280, 800, "desktop"), (360, 740, "360")] {
        let b = driver.browser(width, height, &profiles.path().join(label));
        b.sign_in(&plauder, "admin", &server.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        b.goto(&format!("{plauder}/console"));
        let item = format!("button[data-conversation='{second_id}']");
        b.wait_for(
            "the queue",
            &format!("return !!document.querySelector(\"{item}\")"),
        );
        b.click(&b.find(&item));
        b.wait_for(
            "the earlier list",
            "return !document.getElementById('c-earlier').hidden",
        );
        let href = b.js(
            "return document.querySelector('#c-earlier-list a').getAttribute('href')",
            vec![],
        );
        assert_eq!(href, json!(format!("/console/conversations/{first_id}")));
        b.shot(&format!("identity-console-{label}"));
        b.goto(&format!("{plauder}/console/conversations/{second_id}"));
        b.wait_for(
            "the transcript",
            "return !!document.querySelector('ul.earlier a')",
        );
        b.shot(&format!("identity-transcript-{label}"));
    }
}
