//! Real headless Chromium: a supervisor whose role demands a reason clicks a waiting chat in
//! the live console; the console asks for the reason (a blank one is refused on the spot),
//! shows nothing of the chat until it is given, then shows the transcript. Screenshots at
//! desktop and 360 px width in target/browser-artifacts/console-reason*.png.

use crate::support::webdriver::Driver;
use crate::support::ws::{hello, say};
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use crate::visitor::{visitor, widget};
use plauder::clock::Clock as _;
use plauder::db::roles::{self, Builtin};
use plauder::db::staff::Role;
use serde_json::json;

#[test]
fn the_live_console_asks_for_the_reason_first() {
    let server = TestServer::start(Db::Sqlite);
    add_staff(&server, "sup", Role::Supervisor, None);
    let now = server.clock.naive();
    roles::set_reason_required(&mut server.conn(), Builtin::Supervisor.id(), true, now).unwrap();
    let w = widget(&server, false);
    let mut v = visitor(&server, &w);
    hello(&mut v, None);
    say(&mut v, "v1", "Meine Bestellung 4711 fehlt");
    v.recv_type("ack");

    let base = format!("https://localhost:{}", server.addr.port());
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let sup = driver.browser(1280, 800, &profiles.path().join("sup"));
    sup.sign_in(&base, "sup", GOOD_PASSWORD);
    sup.goto(&format!("{base}/console"));
    sup.wait_for(
        "the chat",
        "return !!document.querySelector('#q-waiting .q-item')",
    );
    sup.click(&sup.find("#q-waiting .q-item"));
    sup.wait_for(
        "the question",
        "return !document.getElementById('reason-form').hidden",
    );
    let shown = sup.js(
        "return [document.getElementById('lines').textContent, document.getElementById('reply').hidden, document.activeElement.id]",
        vec![],
    );
    assert_eq!(
        shown,
        json!(["", true, "reason-text"]),
        "nothing of the chat yet"
    );
    sup.shot("console-reason");

    // Blank is no reason (an empty field the browser's own `required` check stops).
    sup.type_into(&sup.find("#reason-text"), "   ");
    sup.click(&sup.find("#reason-form button.primary"));
    sup.wait_for(
        "the refusal",
        "return !document.getElementById('reason-error').hidden",
    );
    assert_eq!(
        sup.js(
            "return document.getElementById('reason-text').getAttribute('aria-invalid')",
            vec![]
        ),
        "true"
    );
    sup.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": true}),
    );
    sup.js(
        "document.getElementById('reason-form').scrollIntoView()",
        vec![],
    );
    sup.shot("console-reason-error-360");
    assert_eq!(sup.overflow_x(), 0, "no sideways scrolling at 360 px");
    sup.cdp("Emulation.clearDeviceMetricsOverride", json!({}));

    sup.type_into(
        &sup.find("#reason-text"),
        "Beschwerde zur Bestellung prüfen",
    );
    sup.click(&sup.find("#reason-form button.primary"));
    sup.wait_for(
        "the transcript",
        "return document.getElementById('lines').textContent.indexOf('4711') >= 0",
    );
    assert_eq!(
        sup.js(
            "return document.getElementById('reason-form').hidden",
            vec![]
        ),
        true
    );
    sup.shot("console-reason-given");
}
