//! Real headless Chromium: a page on another origin embeds the widget, a visitor chats with
//! an operator in the console of a second browser. Screenshots land in
//! target/browser-artifacts/.

use crate::support::webdriver::{Browser, Driver};
use crate::support::{Db, TestServer};
use diesel::prelude::*;
use std::io::{Read, Write};

const NOTHING_STORED: &str =
    "return document.cookie === '' && localStorage.length === 0 && sessionStorage.length === 0";

fn open_widget(v: &Browser, url: &str) {
    v.leave_frames();
    v.goto(url);
    v.wait_for(
        "the launcher",
        "return document.getElementById('plauder-widget') !== null",
    );
    assert_eq!(
        v.js(NOTHING_STORED, vec![]).as_bool(),
        Some(true),
        "host page: nothing stored before the chat opens"
    );
    v.click(&v.find_in_shadow("#plauder-widget", "button"));
    v.enter_frame(&v.find_in_shadow("#plauder-widget", "iframe"));
    v.wait_for(
        "the privacy notice",
        "return !!document.getElementById('accept') && !document.getElementById('consent').hidden",
    );
    v.click(&v.find("#accept"));
    v.wait_for("the composer", "return !!document.getElementById('composer') && !document.getElementById('composer').hidden");
    assert_eq!(
        v.js(NOTHING_STORED, vec![]).as_bool(),
        Some(true),
        "iframe: nothing stored in the browser before the first message"
    );
}

fn send_as_visitor(v: &Browser, text: &str) {
    v.type_into(&v.find("#text"), text);
    v.click(&v.find("#composer button.send"));
    v.wait_for("the ack", "return document.querySelectorAll('#log li.visitor').length > 0 && !document.querySelector('#log li.pending')");
}

fn take_waiting(op: &Browser) {
    op.wait_for(
        "a waiting chat",
        "return !!document.querySelector('#q-waiting .q-item')",
    );
    op.click(&op.find("#q-waiting .q-item"));
    op.wait_for(
        "the transcript",
        "return document.querySelectorAll('#lines li').length > 0",
    );
    op.click(&op.find("#take"));
    op.wait_for("taken", "return document.getElementById('take').hidden");
}

fn conversations(server: &TestServer) -> i64 {
    plauder::db::schema::conversations::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

#[test]
fn visitor_and_operator_chat_in_real_browsers() {
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let form = |preview: bool, origin: &str| plauder::widget::settings::WidgetForm {
        name: "Beispiel-Shop".into(),
        allowed_origins: origin.into(),
        greeting: "Moin!".into(),
        accent_color: "#2d4a3e".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        typing_preview: preview.then(|| "on".into()),
        ..Default::default()
    };
    // The host page must know the widget id, and the widget its origin: reserve a port first.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let origin = format!("http://127.0.0.1:{port}");
    let now = chrono::Utc::now().naive_utc();
    let widget = plauder::db::widgets::insert(
        &mut server.conn(),
        &form(true, &origin).validate().unwrap(),
        now,
    )
    .unwrap();
    let html = format!(
        "<!doctype html><html><head><meta charset=utf-8><title>Shop</title><style>button{{all:unset;border:3px solid red}}</style></head>\
         <body><h1>Beispiel-Shop</h1><script src=\"{plauder}/widget.js\" data-widget=\"{}\" async></script></body></html>",
        widget.public_id
    );
    let page = serve_on(port, html);
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();

    let op = driver.browser(1280, 800, &profiles.path().join("operator"));
    op.sign_in(&plauder, "admin", &server.admin_password);
    op.wait_for("the dashboard", "return location.pathname === '/admin'");
    op.goto(&format!("{plauder}/console"));
    op.wait_for(
        "the queue",
        "return document.querySelectorAll('#q-waiting li').length > 0",
    );

    let v = driver.browser(1280, 800, &profiles.path().join("visitor"));
    open_widget(&v, &page);
    assert_eq!(conversations(&server), 0, "no row before the first message");
    send_as_visitor(&v, "Hallo aus dem Browser");
    v.shot("visitor-sent");

    take_waiting(&op);
    v.type_into(&v.find("#text"), "Entwurf-XY");
    op.wait_for(
        "the typing preview",
        "return document.getElementById('v-preview').textContent.indexOf('Entwurf-XY') >= 0",
    );
    op.shot("operator-preview");
    op.type_into(&op.find("#reply-text"), "Antwort aus der Konsole");
    op.click(&op.find("#reply button.primary"));
    v.wait_for("the reply", "return [].some.call(document.querySelectorAll('#log li.operator'), function (li) { return li.textContent.indexOf('Antwort aus der Konsole') >= 0; })");
    v.shot("visitor-reply");
    op.shot("operator-replied");

    // With the preview switched off, the operator sees that the visitor types, not what.
    let settings = form(false, &origin).validate().unwrap();
    plauder::db::widgets::update(&mut server.conn(), widget.id, &settings, now).unwrap();
    // A second visitor: the first one's tab would continue its conversation (sessionStorage).
    let v = driver.browser(1280, 800, &profiles.path().join("visitor2"));
    open_widget(&v, &page);
    send_as_visitor(&v, "Zweite Frage");
    take_waiting(&op);
    v.type_into(&v.find("#text"), "Geheim-ZZ");
    op.wait_for(
        "the typing indicator",
        "return !document.getElementById('v-typing').hidden",
    );
    std::thread::sleep(std::time::Duration::from_millis(800));
    let shown = op.js(
        "return document.getElementById('v-preview').textContent",
        vec![],
    );
    assert!(
        !shown.as_str().unwrap_or("").contains("Geheim-ZZ"),
        "no preview when the widget disables it"
    );
    op.shot("operator-no-preview");
}

/// Serves one HTML page on 127.0.0.1:`port`, a different origin from plauder.
pub fn serve_on(port: u16, html: String) -> String {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        // One thread per connection: Chromium opens speculative connections that never
        // send a request, and a server reading them in turn would stall the real one.
        for mut stream in listener.incoming().flatten() {
            let html = html.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(30)));
                let mut buf = [0u8; 4096];
                if matches!(stream.read(&mut buf), Ok(n) if n > 0) {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                        html.len()
                    );
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}/")
}
