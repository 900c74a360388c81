//! Real headless Chromium: searching a customer by e-mail address through the form, the
//! contacts list, both at desktop and phone width (screenshots in target/browser-artifacts/).

use super::{conversation, widget};
use crate::support::webdriver::Driver;
use crate::support::{Db, TestServer};

#[test]
fn search_by_email_in_the_browser_at_desktop_and_phone_width() {
    let server = TestServer::start(Db::Sqlite);
    let w = widget(&server, "Webshop");
    let anna = conversation(
        &server,
        w,
        Some("Anna Schmidt"),
        Some("anna.schmidt@example.de"),
    );
    conversation(&server, w, Some("Bernd Meier"), Some("bernd@example.de"));
    plauder::db::tags::add(&mut server.conn(), anna, "rückruf")
        .unwrap()
        .unwrap();
    let base = format!("https://localhost:{}", server.addr.port());
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, label) in [(1280, "desktop"), (360, "phone")] {
        let b = driver.browser(width, 900, &profiles.path().join(label));
        b.sign_in(&base, "admin", &server.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        b.goto(&format!("{base}/console/conversations"));
        b.type_into(&b.find("#s-q"), "Anna.Schmidt@EXAMPLE.de");
        b.click(&b.find("#search-form button.primary"));
        b.wait_for(
            "the results",
            "return location.search.includes('q=') && !!document.querySelector('#results')",
        );
        let ids = b.js(
            "return [...document.querySelectorAll('input[name=id]')].map(e => e.value)",
            vec![],
        );
        assert_eq!(ids, serde_json::json!([anna.0.to_string()]), "{label}");
        b.shot(&format!("search-{label}"));
        b.goto(&format!("{base}/console/contacts"));
        b.wait_for("the list", "return !!document.querySelector('#results')");
        b.shot(&format!("contacts-{label}"));
    }
}
