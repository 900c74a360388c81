//! The register's pages and the dashboard panel in real headless Chromium, on a desktop
//! (1280 px) and a phone (360 px): nothing wider than the screen, and full-page screenshots
//! in target/browser-artifacts/requests-*.png to look at.

use super::seed;
use crate::support::webdriver::{Browser, Driver, artifacts};
use crate::support::{Db, TestServer};
use plauder::clock::Clock as _;
use plauder::dsr::Kind;
use serde_json::json;

/// The whole page, not just the window.
fn full_page(b: &Browser, path: &std::path::Path) {
    use base64::Engine as _;
    let size = b.js(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
        vec![],
    );
    let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
    let shot = b.cdp(
        "Page.captureScreenshot",
        json!({"captureBeyondViewport": true,
               "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}}),
    );
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    std::fs::write(path, png).unwrap();
}

fn fits(b: &Browser, what: &str) {
    let overflow = b.overflow_x();
    assert!(overflow == 0, "{what} is wider than the screen: {overflow}");
}

#[test]
fn register_pages_and_dashboard_panel_fit_desktop_and_phone() {
    let server = TestServer::start(Db::Sqlite);
    let now = server.clock.naive();
    let contact = plauder::db::contacts::remember(
        &mut server.conn(),
        &server.state.ring,
        "erika@example.de",
        Some("Erika"),
        now,
    )
    .unwrap();
    let late = seed(
        &server,
        Kind::Erasure,
        "Erika Mustermann, erika@example.de",
        40,
    );
    seed(&server, Kind::Access, "Max Beispiel (Brief vom 3.)", 26);
    seed(&server, Kind::Objection, "Petra Schmidt", 45);
    seed(&server, Kind::Portability, "Hans Meier", 2);
    let mut conn = server.conn();
    let link = |action: &str, kind: &str, id: i64| {
        plauder::db::dsr::link_action(&mut server.conn(), late.0, action, kind, id, now).unwrap()
    };
    assert!(link("exported", "contact", contact.0));
    assert!(link("erased", "contact", contact.0));
    let change = plauder::db::dsr::Change {
        status: plauder::dsr::Status::InProgress,
        refusal_reason: None,
        handler: None,
        contact: Some(contact),
        extension: Some(plauder::dsr::due::Extension::new(1, "Viele Gespräche").unwrap()),
        notes: Some("Rückruf vereinbart".into()),
    };
    plauder::db::dsr::update(&mut conn, &server.state.ring, late, &change, now).unwrap();
    drop(conn);

    let base = format!("https://localhost:{}", server.addr.port());
    let shots = artifacts();
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, height) in [(1280, 900), (360, 740)] {
        let b = driver.browser(width, height, &profiles.path().join(format!("p{width}")));
        b.sign_in(&base, "admin", &server.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        b.wait_for(
            "the panel",
            "return !!document.getElementById('requests-overdue')",
        );
        fits(&b, "the dashboard");
        full_page(&b, &shots.join(format!("requests-dashboard-{width}.png")));
        b.goto(&format!("{base}/console/requests"));
        b.wait_for("the list", "return !!document.getElementById('requests')");
        fits(&b, "the list");
        full_page(&b, &shots.join(format!("requests-list-{width}.png")));
        b.goto(&format!("{base}/console/requests/new"));
        b.wait_for("the form", "return !!document.getElementById('subject')");
        fits(&b, "the new-request form");
        full_page(&b, &shots.join(format!("requests-new-{width}.png")));
        b.goto(&format!("{base}/console/requests/{}", late.0));
        b.wait_for(
            "the page",
            "return !!document.getElementById('linked-actions')",
        );
        fits(&b, "the request page");
        full_page(&b, &shots.join(format!("requests-show-{width}.png")));
    }
}
