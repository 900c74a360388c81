//! Staff accounts in real headless Chromium: a visitor chatting with an operator who uses an
//! alias sees only the alias, in the DOM and in every websocket frame the chat page receives
//! (recorded by wrapping the page's WebSocket before it connects; the probe is first shown
//! to find the full name when the operator shows it); and the operator's own pages (sign-in
//! second step, enrolment with its QR code, the account page) at 1280 and 360 px.
//! Screenshots land in target/browser-artifacts/.

use crate::account::appearance::save_appearance;
use crate::account::{code, next_step, shown_secret};
use crate::support::client::Client;
use crate::support::webdriver::{Browser, Driver};
use crate::support::ws::{Ws, open};
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::db::staff::Role;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const REAL: [&str; 2] = ["Anneliese", "Quastenberg"];

fn operator_socket(server: &TestServer, c: &Client) -> Ws {
    let cookie = format!("__Host-plauder={}", c.cookies["__Host-plauder"]);
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

/// Takes the waiting conversation and answers it; returns its id.
fn answer(op: &mut Ws, text: &str) -> String {
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
    reply(op, &id, text);
    id
}

fn reply(op: &mut Ws, id: &str, text: &str) {
    let client_id = format!("r{}", text.len());
    op.send(json!({"type": "send", "conversation": id, "id": client_id, "text": text}));
    op.recv_type("ack");
}

/// Opens the chat on the host page, wraps the iframe's WebSocket so every received frame is
/// kept in `window.__frames`, and accepts the notice (which opens the socket).
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
        "return document.readyState === 'complete' && !!document.getElementById('accept')",
    );
    v.js(
        "var W = window.WebSocket; window.__frames = []; \
         window.WebSocket = function (u, p) { var s = p ? new W(u, p) : new W(u); \
           s.addEventListener('message', function (e) { window.__frames.push(String(e.data)); }); return s; }; \
         window.WebSocket.prototype = W.prototype; return true;",
        vec![],
    );
    v.click(&v.find("#accept"));
    v.wait_for(
        "the composer",
        "return !document.getElementById('composer').hidden",
    );
}

fn say(v: &Browser, text: &str) {
    v.type_into(&v.find("#text"), text);
    v.click(&v.find("#composer button.send"));
}

fn frames(v: &Browser) -> Vec<String> {
    let all = v.js("return window.__frames", vec![]);
    all.as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

fn dom_text(v: &Browser) -> String {
    v.js(
        "return document.body.innerText + document.body.innerHTML",
        vec![],
    )
    .as_str()
    .unwrap()
    .to_string()
}

fn set_appearance(server: &TestServer, kim: &mut Client, shown_as: &str) {
    let csrf = kim.get("/account").csrf();
    let fields = [
        ("full_name", "Anneliese Quastenberg"),
        ("shown_as", shown_as),
        ("alias", "Kiwi"),
        ("avatar", "stock:leaf"),
    ];
    let r = save_appearance(server, kim, "/account/appearance", &csrf, &fields, None);
    assert_eq!(r.status, 303, "{}", r.body);
}

fn host_page(server: &TestServer) -> String {
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
    crate::browser::serve_on(port, html)
}

#[test]
fn a_visitor_sees_only_the_alias_in_the_dom_and_every_frame() {
    let server = TestServer::start(Db::Sqlite);
    add_staff(&server, "kim.berger", Role::Operator, None);
    let mut kim = server.login("kim.berger", GOOD_PASSWORD);
    let page = host_page(&server);
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let mut op = operator_socket(&server, &kim);

    // The probe: with the full name shown, the DOM and the recorded frames carry it.
    set_appearance(&server, &mut kim, "full");
    let v = driver.browser(1280, 800, &profiles.path().join("probe"));
    open_chat(&v, &page);
    say(&v, "Habt ihr grünen Tee?");
    answer(&mut op, "Ja, drei Sorten.");
    v.wait_for(
        "the reply",
        "return document.querySelectorAll('#log li.operator').length > 0",
    );
    assert!(dom_text(&v).contains("Anneliese Quastenberg"));
    assert!(
        frames(&v).iter().any(|f| f.contains("Quastenberg")),
        "the recorder sees frames"
    );
    drop(v);

    // With the alias: a new visitor sees only "Kiwi", in the DOM and in every frame.
    set_appearance(&server, &mut kim, "alias");
    for (width, height, label) in [(1280, 800, "desktop"), (360, 740, "360")] {
        let v = driver.browser(width, height, &profiles.path().join(label));
        open_chat(&v, &page);
        say(&v, "Und schwarzen?");
        let id = answer(&mut op, "Auch, Assam und Ceylon.");
        v.wait_for(
            "the reply",
            "return document.querySelectorAll('#log li.operator').length > 0",
        );
        reply(&mut op, &id, "Noch etwas?");
        v.wait_for(
            "the second reply",
            "return document.querySelectorAll('#log li.operator').length > 1",
        );
        let who = v.js(
            "return Array.from(document.querySelectorAll('#log li.operator .who')).map(function (w) { return w.textContent; })",
            vec![],
        );
        assert_eq!(who, json!(["Kiwi", "Kiwi"]));
        let avatar = v.js(
            "return document.querySelector('#log li.operator .who img.avatar').getAttribute('src')",
            vec![],
        );
        assert_eq!(avatar, json!("/widget/avatar/stock/leaf.svg"));
        v.wait_for("the avatar", "var i = document.querySelector('#log li.operator img.avatar'); return i.complete && i.naturalWidth > 0");
        let dom = dom_text(&v);
        let recorded = frames(&v);
        assert!(
            recorded.len() >= 4,
            "welcome, consented, ack, replies: {recorded:?}"
        );
        assert!(recorded.iter().any(|f| f.contains("\"Kiwi\"")));
        for real in REAL {
            assert!(!dom.contains(real), "{real} in the DOM ({label})");
            for f in &recorded {
                assert!(!f.contains(real), "{real} in a frame ({label}): {f}");
            }
        }
        let parsed: Vec<Value> = recorded
            .iter()
            .map(|f| serde_json::from_str(f).unwrap())
            .collect();
        assert!(
            parsed
                .iter()
                .filter(|f| f["type"] == "message" && f["from"] == "operator")
                .all(|f| f["operator"]["name"] == "Kiwi")
        );
        v.shot(&format!("account-alias-chat-{label}"));
    }
}

#[test]
fn account_pages_and_the_second_step_look_finished() {
    let server = TestServer::start(Db::Sqlite);
    add_staff(&server, "kim.berger", Role::Operator, None);
    let mut kim = server.login("kim.berger", GOOD_PASSWORD);
    set_appearance(&server, &mut kim, "first");
    let (secret, _) = crate::account::enrol(&server, &mut kim);
    // One account per width with an enrolment begun but not confirmed.
    for user in ["lea", "mia"] {
        add_staff(&server, user, Role::Operator, None);
        let mut c = server.login(user, GOOD_PASSWORD);
        let csrf = c.get("/account/second-factor").csrf();
        c.post("/account/second-factor/begin", &[("csrf", &csrf)]);
    }
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let base = format!("https://localhost:{}", server.addr.port());
    let sign_in = |v: &Browser, user: &str| {
        v.sign_in(&base, user, GOOD_PASSWORD);
    };
    for (width, height, label, user) in [(1280, 2300, "desktop", "lea"), (360, 3400, "360", "mia")]
    {
        // Enrolment in progress: the key and the QR code drawn by the server.
        let v = driver.browser(width, 900, &profiles.path().join(user));
        sign_in(&v, user);
        v.wait_for("signed in", "return location.pathname === '/admin'");
        v.goto(&format!("{base}/account/second-factor"));
        v.wait_for(
            "the QR code",
            "return !!document.querySelector('.qr-box svg')",
        );
        let size = v.js("var r = document.querySelector('.qr-box svg').getBoundingClientRect(); return [r.width, r.height]", vec![]);
        assert!(
            size[0].as_f64().unwrap() >= 150.0,
            "the QR code is large enough to scan: {size}"
        );
        v.shot(&format!("account-enrol-{label}"));
        if label == "desktop" {
            let html = v.js("return document.documentElement.outerHTML", vec![]);
            let page = crate::support::client::Response {
                status: 200,
                headers: vec![],
                body: html.as_str().unwrap().to_string(),
            };
            let lea_secret = shown_secret(&page);
            v.type_into(&v.find("#code"), &code(&server, &lea_secret));
            v.click(&v.find("form[action='/account/second-factor/confirm'] button"));
            v.wait_for(
                "the codes",
                "return document.querySelectorAll('#recovery-codes code').length === 10",
            );
            v.shot(&format!("account-codes-{label}"));
        }
        drop(v);

        // The second step of kim's sign-in, a wrong code, then the right one.
        let v = driver.browser(width, height, &profiles.path().join(format!("kim-{label}")));
        sign_in(&v, "kim.berger");
        v.wait_for(
            "the second step",
            "return location.pathname === '/login/second-factor'",
        );
        v.shot(&format!("login-second-step-{label}"));
        v.type_into(&v.find("#code"), "000000");
        v.click(&v.find("button.primary"));
        v.wait_for(
            "the error",
            "return !!document.getElementById('code-error')",
        );
        v.shot(&format!("login-second-step-error-{label}"));
        next_step(&server);
        v.type_into(&v.find("#code"), &code(&server, &secret));
        v.click(&v.find("button.primary"));
        v.wait_for("signed in", "return location.pathname === '/admin'");
        v.goto(&format!("{base}/account"));
        v.wait_for(
            "the account page",
            "return !!document.getElementById('sessions')",
        );
        let text = v.js("return document.body.innerText", vec![]);
        assert!(
            text.as_str().unwrap().contains("Anneliese"),
            "the first name visitors see"
        );
        v.shot(&format!("account-{label}"));
        drop(v);

        // The admin's side: the requirement per role, and another account's page.
        let v = driver.browser(width, 1400, &profiles.path().join(format!("admin-{label}")));
        v.sign_in(&base, "admin", &server.admin_password);
        v.wait_for("signed in", "return location.pathname === '/admin'");
        v.goto(&format!("{base}/admin/second-factor"));
        v.wait_for(
            "the roles",
            "return document.querySelectorAll('input[name=required]').length === 5",
        );
        v.shot(&format!("account-roles-{label}"));
        let kim_id = plauder::db::staff::by_username(&mut server.conn(), "kim.berger")
            .unwrap()
            .unwrap()
            .id;
        v.goto(&format!("{base}/admin/staff/{}/account", kim_id.0));
        v.wait_for(
            "the reset",
            "return !!document.querySelector('form[action$=\"/second-factor/reset\"]')",
        );
        v.shot(&format!("account-admin-{label}"));
    }
}
