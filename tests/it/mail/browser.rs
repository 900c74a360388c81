//! In Chromium: the admin sends a test mail from /admin/mail and a transcript from its page,
//! sees each result, and the sink has both. Screenshots (desktop and 360 px) land in
//! target/browser-artifacts/mail-*.png.

use super::*;
use crate::support::webdriver::{Browser, Driver};

#[test]
fn admin_sends_a_test_mail_and_a_transcript_in_the_browser() {
    let sink = Sink::start(Mode::StartTls);
    let server = server_for(Db::Sqlite, &sink);
    let id = chat(&server, Some(CUSTOMER), "de");
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let base = format!("https://localhost:{}", server.addr.port());
    let sign_in = |v: &Browser| {
        v.sign_in(&base, "admin", &server.admin_password);
        v.wait_for("signed in", "return location.pathname === '/admin'");
    };
    for (width, label) in [(1280, "desktop"), (360, "360")] {
        let v = driver.browser(width, 1100, &profiles.path().join(label));
        sign_in(&v);
        v.goto(&format!("{base}/admin/mail"));
        v.wait_for(
            "the relay",
            "return !!document.getElementById('mail-relay')",
        );
        v.shot(&format!("mail-admin-{label}"));
        v.type_into(&v.find("#to"), "it@example.de");
        v.click(&v.find("form[action='/admin/mail/test'] button"));
        v.wait_for(
            "the result",
            "return !!document.getElementById('test-result')",
        );
        v.shot(&format!("mail-admin-sent-{label}"));

        v.goto(&format!("{base}/console/conversations/{}#mail", id.0));
        v.wait_for("the form", "return !!document.getElementById('mail-form')");
        v.js("document.getElementById('mail').scrollIntoView()", vec![]);
        v.shot(&format!("mail-transcript-form-{label}"));
        v.click(&v.find("#mail-form button"));
        v.wait_for(
            "the result",
            "return !!document.getElementById('mail-result')",
        );
        v.shot(&format!("mail-transcript-sent-{label}"));
    }
    let mails = sink.received();
    assert_eq!(mails.len(), 4, "two test mails, two transcripts");
    assert_eq!(mails[0].rcpt_tos, vec!["it@example.de".to_string()]);
    assert_eq!(mails[1].rcpt_tos, vec![CUSTOMER.to_string()]);
    assert!(mails[1].text().contains(VISITOR_SAYS));
    assert!(mails.iter().all(|m| m.tls));
}
