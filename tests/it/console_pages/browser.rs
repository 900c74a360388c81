//! Real headless Chromium in the operator console: a canned response picked by keyboard
//! after typing `/gr`, and the new-chat sound that waits for the operator's first gesture
//! (browsers block audio before one). Screenshots land in target/browser-artifacts/.

use crate::support::webdriver::{Browser, Driver};
use crate::support::ws::{hello, say};
use crate::support::{Db, TestServer};
use crate::visitor::{visitor, widget};
use serde_json::json;

const ARROW_DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";

/// Runs before the console's own script: counts audio contexts (and those made before any
/// user gesture) and started sounds.
const AUDIO_PROBE: &str = r#"(function () {
  var Orig = window.AudioContext;
  if (!Orig) return;
  var probe = window.__audio = { made: 0, beforeGesture: 0, started: 0 };
  function Probe() {
    probe.made++;
    if (!navigator.userActivation.hasBeenActive) probe.beforeGesture++;
    var ctx = new Orig();
    var make = ctx.createOscillator.bind(ctx);
    ctx.createOscillator = function () {
      var o = make(), start = o.start.bind(o);
      o.start = function (when) { probe.started++; return start(when); };
      return o;
    };
    return ctx;
  }
  window.AudioContext = window.webkitAudioContext = Probe;
})();"#;

fn probe(op: &Browser, key: &str) -> i64 {
    op.js(&format!("return window.__audio.{key}"), vec![])
        .as_i64()
        .unwrap()
}

#[test]
fn canned_responses_by_keyboard_and_sound_after_the_first_gesture() {
    let server = TestServer::start(Db::Sqlite);
    let now = chrono::Utc::now().naive_utc();
    for (shortcut, body) in [
        ("gruss", "Guten Tag, schön dass Sie schreiben!"),
        ("gruss-abend", "Guten Abend! Wie kann ich helfen?"),
        ("danke", "Danke für Ihre Geduld."),
    ] {
        plauder::db::canned::insert(&mut server.conn(), shortcut, body, now).unwrap();
    }
    let w = widget(&server, false);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let op = driver.browser(1280, 800, &profiles.path().join("operator"));
    op.sign_in(&plauder, "admin", &server.admin_password);
    op.wait_for("the dashboard", "return location.pathname === '/admin'");

    op.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": AUDIO_PROBE }),
    );
    // Navigating is no user gesture: the console starts without one.
    op.goto(&format!("{plauder}/console"));
    op.wait_for(
        "the queue",
        "return document.querySelectorAll('#q-waiting li').length > 0",
    );
    assert_eq!(probe(&op, "made"), 0);

    let mut v = visitor(&server, &w);
    hello(&mut v, None);
    say(&mut v, "v1", "Hallo, eine Frage");
    v.recv_type("ack");
    op.wait_for(
        "the new chat",
        "return !!document.querySelector('#q-waiting .q-item')",
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        (probe(&op, "made"), probe(&op, "started")),
        (0, 0),
        "no audio before the operator's first gesture"
    );

    op.click(&op.find("#q-waiting .q-item"));
    op.wait_for(
        "the transcript",
        "return document.querySelectorAll('#lines li').length > 0",
    );
    // The probe sees the one audio context, made by that click.
    op.wait_for("the audio context", "return window.__audio.made === 1");
    assert_eq!(probe(&op, "beforeGesture"), 0);
    op.click(&op.find("#take"));
    op.wait_for("taken", "return document.getElementById('take').hidden");

    let mut second = visitor(&server, &w);
    hello(&mut second, None);
    say(&mut second, "w1", "Ich warte auch");
    second.recv_type("ack");
    op.wait_for(
        "the sound for the next chat",
        "return window.__audio.started === 1",
    );
    assert_eq!(probe(&op, "made"), 1, "one audio context, reused");

    // `/gr` offers the two greetings; arrow down and Enter insert the second.
    let reply = op.find("#reply-text");
    op.type_into(&reply, "/gr");
    op.wait_for(
        "the suggestions",
        "return !document.getElementById('canned').hidden",
    );
    let offered = op.js(
        "return [].map.call(document.querySelectorAll('#canned li'), function (li) { return li.textContent; })",
        vec![],
    );
    assert_eq!(
        offered,
        json!([
            "/gruss Guten Tag, schön dass Sie schreiben!",
            "/gruss-abend Guten Abend! Wie kann ich helfen?"
        ])
    );
    op.shot("console-canned");
    op.type_into(&reply, ARROW_DOWN);
    let state = op.js(
        "return [document.getElementById('reply-text').getAttribute('aria-activedescendant'), document.querySelector('#canned [aria-selected=true]').textContent]",
        vec![],
    );
    assert_eq!(
        state,
        json!(["canned-1", "/gruss-abend Guten Abend! Wie kann ich helfen?"])
    );
    op.type_into(&reply, ENTER);
    let (value, open) = (
        op.js("return document.getElementById('reply-text').value", vec![]),
        op.js("return !document.getElementById('canned').hidden", vec![]),
    );
    assert_eq!(value, "Guten Abend! Wie kann ich helfen?");
    assert_eq!(open, false, "the list closes");
    op.type_into(&reply, ENTER);
    assert_eq!(
        v.recv_type("message")["text"],
        "Guten Abend! Wie kann ich helfen?",
        "the inserted snippet is sent as the reply"
    );

    op.goto(&format!("{plauder}/admin/canned"));
    op.shot("canned-list");
    op.click(&op.find("a[href$='/edit']"));
    op.wait_for("the edit form", "return !!document.getElementById('body')");
    op.js(
        "document.getElementById('shortcut').value = 'gruss abend'",
        vec![],
    );
    op.click(&op.find("form.stack button.primary"));
    op.wait_for(
        "the refusal",
        "return document.getElementById('shortcut').getAttribute('aria-invalid') === 'true'",
    );
    op.shot("canned-edit-error");
    // The same pages on a 360 px wide phone.
    op.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": true}),
    );
    op.shot("canned-edit-error-360");
    op.goto(&format!("{plauder}/admin/canned"));
    let overflow = op.overflow_x();
    let usable = op.js(
        "return [].every.call(document.querySelectorAll('a[href$=\"/edit\"], form[action$=\"/delete\"] button'), function (e) { return e.getClientRects().length > 0; })",
        vec![],
    );
    op.shot("canned-list-360");
    assert_eq!(overflow, 0, "no sideways scrolling at 360 px");
    assert_eq!(usable, true, "edit and delete are there on a phone");
}
