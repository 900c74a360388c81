//! The staff pages' top navigation in real headless Chromium (German, the longer labels):
//! signed in as the admin (every link) and as an operator (few links), at 1280, 1024 and
//! 360 px. Nothing in the header may be wider than the screen (it once scrolled sideways
//! at 1280), every link must lie inside the window, and the two link groups are labelled
//! navigation landmarks. Window screenshots go to target/browser-artifacts/nav-*.png.

use crate::support::webdriver::{Browser, Driver};
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::db::staff::Role;
use serde_json::Value;

const WIDTHS: [(u32, u32); 3] = [(1280, 800), (1024, 768), (360, 740)];

fn sign_in(b: &Browser, base: &str, user: &str, password: &str) {
    b.sign_in(base, user, password);
    b.wait_for("the dashboard", "return location.pathname === '/admin'");
}

/// What the header looks like to a script: overflow of the header and of each nav, links
/// that stick out of the window, and the landmarks' names.
fn measure(b: &Browser) -> Value {
    b.js(
        "const header = document.querySelector('header.top');
         const navs = [...header.querySelectorAll('nav')];
         const outside = [...header.querySelectorAll('a, button')]
           .filter(e => { const r = e.getBoundingClientRect();
                          return r.left < 0 || r.right > window.innerWidth; })
           .map(e => e.textContent.trim());
         const name = n => n.getAttribute('aria-label')
           || document.getElementById(n.getAttribute('aria-labelledby') || '')?.textContent.trim() || '';
         return {
           page: document.documentElement.scrollWidth - window.innerWidth,
           header: header.scrollWidth - header.clientWidth,
           navs: navs.map(n => n.scrollWidth - n.clientWidth),
           names: navs.map(name),
           outside,
           links: navs.map(n => [...n.querySelectorAll('a')].map(a => a.getAttribute('href'))),
           current: [...header.querySelectorAll('nav a[aria-current=page]')].map(a => a.getAttribute('href')),
           height: header.getBoundingClientRect().height,
         };",
        vec![],
    )
}

fn assert_fits(m: &Value, what: &str) {
    assert!(
        m["page"].as_f64().unwrap() <= 0.0,
        "{what}: page wider: {m}"
    );
    assert!(
        m["header"].as_f64().unwrap() <= 0.0,
        "{what}: header scrolls: {m}"
    );
    for n in m["navs"].as_array().unwrap() {
        assert!(n.as_f64().unwrap() <= 0.0, "{what}: a nav scrolls: {m}");
    }
    assert_eq!(m["outside"], serde_json::json!([]), "{what}: {m}");
}

fn hrefs(m: &Value) -> Vec<String> {
    m["links"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l.as_array().unwrap().clone())
        .map(|h| h.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_navigation_fits_at_desktop_tablet_and_phone_widths() {
    let server = TestServer::start(Db::Sqlite);
    add_staff(&server, "olga", Role::Operator, None);
    let base = format!("https://localhost:{}", server.addr.port());
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let every = [
        "/console",
        "/console/conversations",
        "/console/contacts",
        "/console/requests",
        "/console/approvals",
        "/admin",
        "/admin/widgets",
        "/admin/canned",
        "/admin/router",
        "/admin/staff",
        "/admin/audit",
        "/admin/statistics",
        "/admin/settings",
    ];
    for (width, height) in WIDTHS {
        let b = driver.browser(width, height, &profiles.path().join(format!("a{width}")));
        sign_in(&b, &base, "admin", &server.admin_password);
        let m = measure(&b);
        assert_fits(&m, &format!("admin at {width}"));
        assert_eq!(hrefs(&m), every, "the admin sees every link, in order");
        assert_eq!(
            m["names"],
            serde_json::json!(["Hauptnavigation", "Verwaltung"]),
            "two labelled landmarks"
        );
        assert_eq!(m["current"], serde_json::json!(["/admin"]));
        b.shot(&format!("nav-admin-{width}"));
        // The pages reached from the settings mark "Settings" as where one is.
        b.goto(&format!("{base}/admin/backups"));
        b.wait_for("the page", "return !!document.querySelector('main h1')");
        let m = measure(&b);
        assert_fits(&m, &format!("admin on backups at {width}"));
        assert_eq!(m["current"], serde_json::json!(["/admin/settings"]));
        // The settings page links them; its last block stays inside the window too.
        b.goto(&format!("{base}/admin/settings"));
        b.wait_for("the page", "return !!document.getElementById('more')");
        let more = b.js(
            "return [...document.querySelectorAll('ul.more-settings a')].map(a => a.getAttribute('href'))",
            vec![],
        );
        assert_eq!(
            more,
            serde_json::json!(["/admin/mail", "/admin/retention", "/admin/backups"])
        );
        assert_fits(&measure(&b), &format!("admin on settings at {width}"));
        b.js("document.getElementById('more').scrollIntoView()", vec![]);
        b.shot(&format!("nav-settings-more-{width}"));
        drop(b);

        let b = driver.browser(width, height, &profiles.path().join(format!("o{width}")));
        sign_in(&b, &base, "olga", GOOD_PASSWORD);
        let m = measure(&b);
        assert_fits(&m, &format!("operator at {width}"));
        let links = hrefs(&m);
        assert!(links.contains(&"/console".to_string()), "{m}");
        for admin_only in ["/admin/staff", "/admin/audit", "/admin/settings"] {
            assert!(
                !links.contains(&admin_only.to_string()),
                "{admin_only}: {m}"
            );
        }
        b.shot(&format!("nav-operator-{width}"));
    }
}
