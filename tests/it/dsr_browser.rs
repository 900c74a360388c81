//! A data-subject request end to end in real headless Chromium (issue 8): a visitor chatted
//! and left an e-mail address; the data-protection officer signs in, finds the customer by
//! that address on the search page, opens the contact (typing the reason their role
//! demands, issue 7), takes their JSON package with the browser's own session, erases the
//! contact through the confirmation page, and afterwards the search finds nothing and the
//! contact page answers 404. Screenshots of each step at 1280 px in
//! target/browser-artifacts/dsr-*.png.

use crate::contacts::{fixture, person, staff_of};
use crate::support::webdriver::{Browser, Driver};
use crate::support::{Db, GOOD_PASSWORD};
use plauder::db::roles::Builtin;
use serde_json::{Value, json};

const EMAIL: &str = "dana.auskunft@example.de";
const MARKER: &str = "DSR-Marker-2718 Bitte um Auskunft";

/// Searches the conversations by e-mail address through the form; the ids found.
fn search(b: &Browser, base: &str) -> Value {
    b.goto(&format!("{base}/console/conversations"));
    b.wait_for("the search form", "return !!document.querySelector('#s-q')");
    b.type_into(&b.find("#s-q"), &EMAIL.to_uppercase());
    b.click(&b.find("#search-form button.primary"));
    b.wait_for(
        "the results",
        "return location.search.includes('q=') && document.readyState === 'complete'",
    );
    b.js(
        "return [...document.querySelectorAll('input[name=id]')].map(e => e.value)",
        vec![],
    )
}

/// Types a reason into the reason form on screen and sends it.
fn give_reason(b: &Browser, reason: &str) {
    b.wait_for(
        "the reason form",
        "return !!document.querySelector('#reason')",
    );
    b.type_into(&b.find("#reason"), reason);
    b.click(&b.find("form:has(#reason) button.primary"));
}

/// The status of a GET with the browser's session (a synchronous request: the sync
/// WebDriver script waits for it).
fn status_of(b: &Browser, path: &str) -> Value {
    b.js(
        "const x = new XMLHttpRequest(); x.open('GET', arguments[0], false); x.send(); return x.status;",
        vec![json!(path)],
    )
}

#[test]
fn a_dpo_answers_an_access_request_and_erases_the_person_in_the_browser() {
    let f = fixture(Db::Sqlite);
    let s = &f.server;
    let (_ws, conversation, contact) = person(s, &f.widget_a, "Dana Auskunft", EMAIL, &[MARKER]);
    drop(staff_of(s, "dora", Builtin::Dpo));
    let base = format!("https://localhost:{}", s.addr.port());
    let shot = |b: &Browser, name: &str| b.shot(&format!("dsr-{name}"));
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let b = driver.browser(1280, 900, profile.path());

    b.sign_in(&base, "dora", GOOD_PASSWORD);

    // 1. The customer is found by their address (case does not matter).
    assert_eq!(search(&b, &base), json!([conversation.to_string()]));
    shot(&b, "1-search");

    // 2. Their contact, from the contacts list; the role asks for a reason first.
    b.goto(&format!("{base}/console/contacts?q={EMAIL}"));
    let link = format!("a[href='/console/contacts/{contact}']");
    b.wait_for(
        "the contact in the list",
        &format!("return !!document.querySelector(\"{link}\")"),
    );
    b.click(&b.find(&link));
    b.wait_for(
        "the reason form",
        "return !!document.querySelector('#reason')",
    );
    let body = b.js("return document.body.innerText", vec![]);
    assert!(
        !body.as_str().unwrap().contains(EMAIL),
        "the form shows no data"
    );
    shot(&b, "2-reason");
    give_reason(&b, "Auskunftsersuchen Art. 15 DSGVO per E-Mail");
    b.wait_for(
        "the contact page",
        "return !!document.querySelector('dl.facts') && !document.querySelector('#reason')",
    );
    let body = b.js("return document.body.innerText", vec![]);
    assert!(body.as_str().unwrap().contains(EMAIL), "{body}");
    assert!(body.as_str().unwrap().contains("Dana Auskunft"), "{body}");
    shot(&b, "3-contact");

    // 3. The JSON package, with the browser's session and the reason form's token.
    b.goto(&format!("{base}/console/contacts/{contact}/export.json"));
    b.wait_for(
        "the reason form",
        "return !!document.querySelector('#reason')",
    );
    b.type_into(&b.find("#reason"), "Auskunft Art. 15: Datenkopie");
    shot(&b, "4-export-reason");
    let answer = b.js(
        "const form = document.querySelector('#reason').form;
         const x = new XMLHttpRequest();
         x.open('POST', form.action, false);
         x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
         x.send(new URLSearchParams(new FormData(form)).toString());
         return [x.status, x.getResponseHeader('Content-Disposition'), x.responseText];",
        vec![],
    );
    assert_eq!(answer[0], 200, "{answer}");
    assert!(answer[1].as_str().unwrap().starts_with("attachment;"));
    let package: Value = serde_json::from_str(answer[2].as_str().unwrap()).unwrap();
    assert_eq!(package["contact"]["email"], EMAIL);
    assert!(answer[2].as_str().unwrap().contains(MARKER), "{package}");

    // 4. Erased through the confirmation page, by clicking.
    b.goto(&format!("{base}/console/contacts/{contact}"));
    give_reason(&b, "Löschung Art. 17 DSGVO");
    // The erase button carries the reason just given on to the confirmation page.
    b.wait_for(
        "the erase button",
        "return !!document.querySelector('form[action$=\"/erase/open\"] button.danger')",
    );
    b.click(&b.find("form[action$='/erase/open'] button.danger"));
    b.wait_for(
        "the confirmation",
        "return location.pathname.endsWith('/erase/open') && !!document.querySelector('form[action$=\"/erase\"] button.danger')",
    );
    let count = b.js(
        "return document.querySelector('#count-conversations').textContent.trim()",
        vec![],
    );
    assert_eq!(count, json!("1"));
    shot(&b, "5-erase-confirm");
    b.click(&b.find("form[action$='/erase'] button.danger"));
    b.wait_for(
        "the erasure done",
        "return !location.pathname.endsWith('/erase/open') && document.readyState === 'complete'",
    );
    shot(&b, "6-erased");

    // 5. Nothing found any more, and the contact page is a 404.
    assert_eq!(search(&b, &base), json!([]));
    shot(&b, "7-search-empty");
    assert_eq!(status_of(&b, &format!("/console/contacts/{contact}")), 404);
    b.goto(&format!("{base}/console/contacts/{contact}"));
    b.wait_for("the page", "return document.readyState === 'complete'");
    let body = b.js("return document.body.innerText", vec![]);
    assert!(!body.as_str().unwrap().contains(EMAIL));
    shot(&b, "8-contact-404");
}
