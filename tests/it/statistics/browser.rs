//! The statistics and settings pages in real headless Chromium, on a desktop (1280 px) and
//! a phone (360 px): nothing wider than the screen, and full-page screenshots in
//! target/browser-artifacts/ to look at.

use super::{PERIOD, fixture, set_naming};
use crate::support::Db;
use crate::support::webdriver::{Browser, Driver, artifacts};
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
fn statistics_and_settings_pages_fit_desktop_and_phone() {
    let f = fixture(Db::Sqlite);
    set_naming(&f, "named");
    let base = format!("https://localhost:{}", f.server.addr.port());
    let shots = artifacts();
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, height) in [(1280, 900), (360, 740)] {
        let b = driver.browser(width, height, &profiles.path().join(format!("p{width}")));
        b.sign_in(&base, "admin", &f.server.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        b.goto(&format!("{base}/admin/statistics?{PERIOD}"));
        b.wait_for("the totals", "return !!document.getElementById('totals')");
        let text = b.js("return document.body.innerText", vec![]);
        let text = text.as_str().unwrap();
        assert!(
            text.contains("Verpasst") && text.contains("erika.op"),
            "{text}"
        );
        fits(&b, "the statistics page");
        full_page(&b, &shots.join(format!("statistics-{width}.png")));
        // Window-sized views too: a phone's full page is too long to look at in one piece.
        for anchor in ["totals", "operators"] {
            b.js(
                &format!("document.getElementById('{anchor}').scrollIntoView()"),
                vec![],
            );
            b.shot(&format!("statistics-{width}-{anchor}"));
        }
        b.goto(&format!("{base}/admin/settings"));
        b.wait_for(
            "the form",
            "return !!document.querySelector('input[value=named]')",
        );
        fits(&b, "the settings page");
        full_page(&b, &shots.join(format!("settings-{width}.png")));
    }
}
