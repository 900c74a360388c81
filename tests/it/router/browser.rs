//! Real headless Chromium with German as its language: a page on another origin embeds
//! the default widget, a rule sends German browsers to the German widget. The loader asks
//! the router, then opens the German widget's chat; nothing is stored in the browser.

use super::{SHOP, add_rule, widget};
use crate::support::webdriver::Driver;
use crate::support::{Db, TestServer};
use diesel::prelude::*;

/// The shared host page server, at a German path (any path gets the page).
fn serve_on(port: u16, html: String) -> String {
    format!("{}de/kontakt", crate::browser::serve_on(port, html))
}

/// The launcher's colour: the loader applies the chosen widget's accent after routing.
const BUTTON_COLOUR: &str = "(function () { var h = document.getElementById('plauder-widget'); \
     var b = h && h.shadowRoot.querySelector('button'); return b ? getComputedStyle(b).backgroundColor : ''; })()";

#[test]
fn a_german_chromium_is_routed_to_the_german_widget() {
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("http://127.0.0.1:{port}");
    let origins = format!("{origin}\n{SHOP}");
    let mut admin = server.admin();
    let default = widget(&mut admin, "Shop", &origins, "#0b5cad");
    let german = widget(&mut admin, "Shop DE", &origins, "#aa2200");
    let r = add_rule(&mut admin, &[("lang", "de"), ("target", &german)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let html = format!(
        "<!doctype html><html><head><meta charset=utf-8><title>Kontakt</title></head>\
         <body><h1>Kontakt</h1><script src=\"{plauder}/widget.js\" data-widget=\"{default}\" async></script></body></html>"
    );
    let page = serve_on(port, html);
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let v = driver.browser(1280, 800, &profiles.path().join("visitor"));
    v.goto(&page);
    let lang = v.js(
        "return (navigator.languages || [])[0] || navigator.language",
        vec![],
    );
    assert!(
        lang.as_str().unwrap_or("").starts_with("de"),
        "a German browser: {lang}"
    );
    v.wait_for(
        "the German widget's colour on the launcher",
        &format!("return {BUTTON_COLOUR} === 'rgb(170, 34, 0)'"),
    );
    assert_eq!(
        v.js(
            "return document.cookie === '' && localStorage.length === 0 && sessionStorage.length === 0",
            vec![]
        )
        .as_bool(),
        Some(true),
        "routing stores nothing in the browser"
    );
    v.click(&v.find_in_shadow("#plauder-widget", "button"));
    let src = v.js(
        "return document.getElementById('plauder-widget').shadowRoot.querySelector('iframe').src",
        vec![],
    );
    assert!(
        src.as_str()
            .unwrap_or("")
            .ends_with(&format!("/w/{german}")),
        "the chat of the German widget: {src}"
    );
    let conversations: i64 = plauder::db::schema::conversations::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap();
    assert_eq!(
        conversations, 0,
        "routing and opening the notice write no row"
    );
    v.shot("router-german");
}
