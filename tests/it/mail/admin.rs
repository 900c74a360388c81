//! `/admin/mail`: the relay as configured without the password, the test-mail button
//! (settings:edit, CSRF, audited, the relay's answer shown), and who may do what.

use super::*;
use crate::both_backends;
use crate::support::{GOOD_PASSWORD, add_staff};

both_backends!(test_mail_button_sends_and_is_audited, |db| {
    let sink = Sink::start(Mode::StartTls);
    let server = server_for(db, &sink);
    let mut admin = server.admin();
    let page = admin.get("/admin/mail");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"mail-relay\""), "{}", page.body);
    assert!(page.body.contains("localhost") && page.body.contains(&sink.port.to_string()));
    assert!(page.body.contains("chat@example.de"));
    assert!(!page.body.contains(PASSWORD), "the password is never shown");
    let csrf = page.csrf();

    let bad = admin.post(
        "/admin/mail/test",
        &[("csrf", &csrf), ("to", "a@b.de, c@d.de")],
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("id=\"to-error\""), "{}", bad.body);
    assert!(
        audited(&server, "test_mail_sent").is_empty(),
        "nothing to record"
    );

    let forged = admin.post("/admin/mail/test", &[("to", "it@example.de")]);
    assert_eq!(forged.status, 403);

    let r = admin.post(
        "/admin/mail/test",
        &[("csrf", &csrf), ("to", "it@example.de")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"test-result\"") && r.body.contains("it@example.de"));
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, vec!["it@example.de".to_string()]);
    assert!(mails[0].tls);
    assert!(mails[0].text().contains("localhost"), "{}", mails[0].text());
    assert_eq!(
        audited(&server, "test_mail_sent"),
        vec![(None, "ok".to_string())]
    );
    drop(sink);

    // The relay gone: the answer on the page, a failed entry after the first.
    let r = admin.post(
        "/admin/mail/test",
        &[("csrf", &csrf), ("to", "it@example.de")],
    );
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""));
    assert!(!r.body.contains(PASSWORD));
    assert_eq!(
        audited(&server, "test_mail_sent"),
        vec![
            (None, "ok".to_string()),
            (None, "ok".to_string()),
            (None, "failed".to_string())
        ]
    );
});

#[test]
fn who_may_see_and_press() {
    let sink = Sink::start(Mode::StartTls);
    let server = server_for(Db::Sqlite, &sink);
    add_staff(&server, "dpo", Role::Dpo, None);
    add_staff(&server, "op", Role::Operator, None);
    // Settings read: sees the page, not the button; a POST is refused.
    let mut dpo = server.login("dpo", GOOD_PASSWORD);
    let page = dpo.get("/admin/mail");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"mail-relay\""));
    assert!(!page.body.contains("action=\"/admin/mail/test\""));
    let r = dpo.post(
        "/admin/mail/test",
        &[("csrf", &page.csrf()), ("to", "it@example.de")],
    );
    assert_eq!(r.status, 403);
    // No settings area at all.
    let mut op = server.login("op", GOOD_PASSWORD);
    assert_eq!(op.get("/admin/mail").status, 403);
    let csrf = op.get("/console").csrf();
    assert_eq!(
        op.post(
            "/admin/mail/test",
            &[("csrf", &csrf), ("to", "it@example.de")]
        )
        .status,
        403
    );
    assert!(sink.received().is_empty());
    assert!(audited(&server, "test_mail_sent").is_empty());
    // Mail off: the page says so.
    let off = TestServer::start(Db::Sqlite);
    let page = off.admin().get("/admin/mail");
    assert!(page.body.contains("id=\"mail-off\""), "{}", page.body);
}
