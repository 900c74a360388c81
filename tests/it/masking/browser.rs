//! Masking seen in real headless Chromium on both sides: the visitor's bubble shows the
//! stored (masked) text with a note why, the operator's console shows the same, and an
//! operator's reply is masked in the console and in the widget. Screenshots land in
//! target/browser-artifacts/.

use super::{card_number, grouped, iban};
use crate::support::webdriver::{Browser, Driver};
use crate::support::{Db, TestServer};
use crate::visitor::widget;

/// Whether some element matching `css` contains `needle` in its text.
fn shows(b: &Browser, css: &str, needle: &str) -> bool {
    b.js(
        "var css = arguments[0], needle = arguments[1]; \
         return [].some.call(document.querySelectorAll(css), function (e) { return e.textContent.indexOf(needle) >= 0; })",
        vec![css.into(), needle.into()],
    )
    .as_bool()
    .unwrap_or(false)
}

fn wait_shown(b: &Browser, what: &str, css: &str, needle: &str) {
    let script = format!(
        "return [].some.call(document.querySelectorAll({}), function (e) {{ return e.textContent.indexOf({}) >= 0; }})",
        serde_json::Value::from(css),
        serde_json::Value::from(needle)
    );
    b.wait_for(what, &script);
}

#[test]
fn both_sides_see_only_the_masked_numbers() {
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    let w = widget(&server, false);
    let (card, iban) = (card_number(), iban());
    let card_masked = format!("•••• •••• •••• {}", &card[12..]);
    let iban_masked = format!("DE•• •••• •••• •••• •••• {}", &iban[18..]);
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

    // The chat frame on plauder's own origin, as the launcher opens it.
    let v = driver.browser(420, 720, &profiles.path().join("visitor"));
    v.goto(&format!("{plauder}/w/{w}"));
    v.wait_for(
        "the privacy notice",
        "return !!document.getElementById('accept') && !document.getElementById('consent').hidden",
    );
    v.click(&v.find("#accept"));
    v.wait_for(
        "the composer",
        "return !document.getElementById('composer').hidden",
    );
    let typed = format!(
        "Karte {} und IBAN {}",
        grouped(&card),
        grouped(&iban).to_lowercase()
    );
    v.type_into(&v.find("#text"), &typed);
    v.click(&v.find("#composer button.send"));
    v.wait_for(
        "the ack",
        "return document.querySelectorAll('#log li.visitor').length > 0 && !document.querySelector('#log li.pending')",
    );
    let expected = format!("Karte {card_masked} und IBAN {iban_masked}");
    assert!(
        shows(&v, "#log li.visitor", &expected),
        "the bubble shows what was stored"
    );
    assert!(!shows(&v, "#log", &card[..12]) && !shows(&v, "#log", &grouped(&card)[..14]));
    assert!(
        shows(&v, "#log li.notice", "Kartennummer") && shows(&v, "#log li.notice", "IBAN"),
        "the visitor is told what was masked and why"
    );
    v.shot("masking-visitor");

    op.wait_for(
        "a waiting chat",
        "return !!document.querySelector('#q-waiting .q-item')",
    );
    op.click(&op.find("#q-waiting .q-item"));
    wait_shown(&op, "the masked message", "#lines li", &expected);
    assert!(!shows(&op, "#lines", &card[..12]));
    op.click(&op.find("#take"));
    op.wait_for("taken", "return document.getElementById('take').hidden");
    op.type_into(&op.find("#reply-text"), &format!("Ist {card} richtig?"));
    op.click(&op.find("#reply button.primary"));
    let reply = format!("Ist {card_masked} richtig?");
    wait_shown(&op, "the reply as stored", "#lines li.operator", &reply);
    assert!(
        !shows(&op, "#lines", &card[..12]),
        "the console keeps no raw digits"
    );
    op.shot("masking-operator");
    wait_shown(&v, "the masked reply", "#log li.operator", &reply);
    assert!(!shows(&v, "#log", &card[..12]));
    v.shot("masking-visitor-reply");
}
