//! The privacy settings, the notice texts and the consent in the transcript, as an admin
//! sees them in real Chromium (German UI), desktop and 360 px. Screenshots land in
//! target/browser-artifacts/.

use crate::privacy_mode::{chat, widget_with};
use crate::support::webdriver::{Browser, Driver};
use crate::support::{Db, TestServer};
use plauder::widget::notice::hash_hex;
use serde_json::json;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

fn login(b: &Browser, plauder: &str, password: &str) {
    b.sign_in(plauder, "admin", password);
    b.wait_for("the dashboard", "return location.pathname === '/admin'");
}

fn text(b: &Browser) -> String {
    b.js("return document.body.innerText", vec![])
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn admin_sets_privacy_writes_notices_and_reads_the_consent() {
    let server = TestServer::start(Db::Sqlite);
    let plauder = format!("https://localhost:{}", server.addr.port());
    // A conversation of a widget without privacy mode, for the transcript.
    let open_widget = widget_with(&server, &[]);
    let conversation = chat(
        &server,
        &open_widget,
        FIREFOX,
        "https://shop.example.de/tee/gruen",
    );
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();

    let b = driver.browser(1280, 800, &profiles.path().join("admin"));
    login(&b, &plauder, &server.admin_password);
    b.goto(&format!("{plauder}/admin/widgets/new"));
    assert_eq!(
        b.js(
            "return document.querySelector('input[name=privacy_mode]').checked",
            vec![]
        ),
        json!(true),
        "privacy mode is on for a new widget"
    );
    assert!(text(&b).contains("Noch keine Adresse der Datenschutzerklärung"));
    b.type_into(&b.find("#name"), "Teeladen");
    b.type_into(&b.find("#allowed_origins"), "https://tee.example.de");
    b.type_into(
        &b.find("#privacy_policy_url"),
        "https://tee.example.de/datenschutz",
    );
    b.type_into(&b.find("#decline_contact"), "Telefon 040 123 45 67");
    b.click(&b.find("input[name=resumable_id]"));
    b.js(
        "document.getElementById('privacy_policy_url').scrollIntoView()",
        vec![],
    );
    b.shot("admin-widget-privacy-desktop");
    b.click(&b.find("form button.primary"));
    b.wait_for("the saved widget", "return location.search === '?saved=1'");
    let page = text(&b);
    assert!(!page.contains("Noch keine Adresse der Datenschutzerklärung"));
    assert_eq!(
        b.js(
            "return document.querySelector('input[name=resumable_id]').checked",
            vec![]
        ),
        json!(true)
    );

    b.click(&b.find("a[href$='/notices']"));
    b.wait_for(
        "the notices page",
        "return location.pathname.endsWith('/notices')",
    );
    assert!(text(&b).contains("Standardtext"));
    let own =
        "Wir speichern Ihre Nachrichten verschlüsselt bei uns.\nMehr in der Datenschutzerklärung.";
    b.type_into(&b.find("#notice_de"), own);
    b.click(&b.find("form button.primary"));
    b.wait_for("the saved texts", "return location.search === '?saved=1'");
    let page = text(&b);
    assert!(
        page.contains(&hash_hex(own)[..12]),
        "the new version is shown"
    );
    assert!(page.contains("Ihr Text"));
    b.shot("admin-notices-desktop");

    b.goto(&format!("{plauder}/console/conversations/{conversation}"));
    let page = text(&b);
    for shown in [
        "Einwilligung",
        "Firefox 128",
        "Linux",
        "127.0.0.1",
        "https://shop.example.de/tee/gruen",
    ] {
        assert!(page.contains(shown), "{shown} in the transcript: {page}");
    }
    b.shot("admin-transcript-desktop");
    drop(b);

    let phone = driver.browser(360, 740, &profiles.path().join("phone"));
    login(&phone, &plauder, &server.admin_password);
    phone.goto(&format!("{plauder}/admin/widgets/new"));
    phone.js(
        "document.getElementById('privacy_policy_url').scrollIntoView()",
        vec![],
    );
    phone.shot("admin-widget-privacy-360");
    phone.goto(&format!("{plauder}/admin/widgets/{open_widget}/notices"));
    phone.shot("admin-notices-360");
    phone.goto(&format!("{plauder}/console/conversations/{conversation}"));
    assert!(text(&phone).contains("Firefox 128"));
    phone.shot("admin-transcript-360");
}
