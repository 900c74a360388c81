//! Screenshots of the approvals page and the waiting page in real Chromium at desktop
//! (1280) and phone (360) width, into /tmp/shots/, and a check that neither overflows.

use crate::access::{Who, login, world};
use crate::support::Db;
use crate::support::webdriver::Driver;
use plauder::clock::Clock as _;

#[test]
fn approval_pages_fit_desktop_and_phone() {
    let w = world(Db::Sqlite);
    let s = &w.server;
    let [a_free, a_admin, ..] = w.convs;
    let policy = plauder::db::approvals::Policy {
        threshold: 1,
        expiry_hours: 24,
    };
    policy.store(&mut s.conn(), s.clock.naive()).unwrap();
    let export = format!(
        "/console/conversations/export?format=xlsx&id={}&id={}",
        a_free.id.0, a_admin.id.0
    );
    // Requests of others for the admin to decide.
    assert_eq!(login(&w, Who::Supervisor).get(&export).status, 202);
    let mut dpo = login(&w, Who::Dpo);
    let csrf = dpo.get("/console/approvals").csrf();
    let (a, b) = (a_free.id.0.to_string(), a_admin.id.0.to_string());
    let r = dpo.post(
        "/console/conversations/delete",
        &[("csrf", &csrf), ("id", &a), ("id", &b)],
    );
    assert_eq!(r.status, 202);

    let base = format!("https://localhost:{}", s.addr.port());
    std::fs::create_dir_all("/tmp/shots").unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, height) in [(1280, 900), (360, 900)] {
        let b = driver.browser(width, height, &profiles.path().join(format!("w{width}")));
        b.sign_in(&base, "admin", &s.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        // The admin's own export above the threshold: the waiting page.
        for (name, path) in [
            ("approvals-waiting", export.as_str()),
            ("approvals", "/console/approvals"),
        ] {
            b.goto(&format!("{base}{path}"));
            b.wait_for(
                name,
                "return document.readyState === 'complete' && !!document.querySelector('h1')",
            );
            b.screenshot(&std::path::PathBuf::from(format!(
                "/tmp/shots/{name}-{width}.png"
            )));
            b.js(
                "window.scrollTo(0, document.body.scrollHeight); return true;",
                vec![],
            );
            b.screenshot(&std::path::PathBuf::from(format!(
                "/tmp/shots/{name}-{width}-end.png"
            )));
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
