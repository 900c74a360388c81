//! Screenshots of the contact pages in real Chromium at desktop (1280) and phone (360)
//! width, into /tmp/shots/ (for looking at them), and a check that the page's content
//! never overflows its width.

use super::{fixture, person};
use crate::support::Db;
use crate::support::webdriver::Driver;
use plauder::clock::Clock as _;
use plauder::db::contacts::{self, ContactId};

#[test]
fn contact_pages_fit_desktop_and_phone() {
    let f = fixture(Db::Sqlite);
    let s = &f.server;
    let (_a, a1, anna) = person(
        s,
        &f.widget_a,
        "Anna Beispiel-Lang",
        "anna.beispiel@example.de",
        &["Hallo, ich habe eine Frage zu meiner Bestellung."],
    );
    let (_b, _, bert) = person(
        s,
        &f.widget_a,
        "A. Beispiel",
        "a.beispiel@example.de",
        &["Hi"],
    );
    assert!(
        contacts::set_phone_and_customer_id(
            &mut s.conn(),
            &s.state.ring,
            ContactId(anna),
            Some("+49 170 1234567"),
            Some("K-2024-00042"),
            s.clock.naive(),
        )
        .unwrap()
    );
    let base = format!("https://localhost:{}", s.addr.port());
    let pages = [
        ("contact", format!("/console/contacts/{anna}")),
        ("contact-edit", format!("/console/contacts/{anna}/edit")),
        (
            "contact-merge",
            format!("/console/contacts/{anna}/merge?other={bert}"),
        ),
        ("contact-erase", format!("/console/contacts/{anna}/erase")),
        (
            "conversations-delete",
            format!("/console/conversations/delete?id={a1}"),
        ),
    ];
    std::fs::create_dir_all("/tmp/shots").unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, height) in [(1280, 900), (360, 900)] {
        let b = driver.browser(width, height, &profiles.path().join(format!("w{width}")));
        b.sign_in(&base, "admin", &s.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        for (name, path) in &pages {
            b.goto(&format!("{base}{path}"));
            b.wait_for(
                name,
                "return document.readyState === 'complete' && !!document.querySelector('h1')",
            );
            let shot = std::path::PathBuf::from(format!("/tmp/shots/{name}-{width}.png"));
            b.screenshot(&shot);
            // And the end of the page (forms and tables sit below the fold on a phone).
            b.js(
                "window.scrollTo(0, document.body.scrollHeight); return true;",
                vec![],
            );
            b.screenshot(&std::path::PathBuf::from(format!(
                "/tmp/shots/{name}-{width}-end.png"
            )));
            // The page's own content; the shared navigation is not this page's.
            let wide = b.js(
                "var w = document.querySelector('main').clientWidth, out = []; \
                 document.querySelectorAll('main *').forEach(function (e) { \
                   if (e.getBoundingClientRect().right > w + 1) \
                     out.push(e.tagName + '.' + e.className + '#' + e.id); }); \
                 return out.join(' ');",
                vec![],
            );
            assert_eq!(wide.as_str(), Some(""), "{name} overflows at {width} px");
        }
    }
}
