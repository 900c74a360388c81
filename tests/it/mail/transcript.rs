//! The transcript mail end to end: the page offers it, the relay gets it over STARTTLS with
//! AUTH, the customer's address is the only recipient, the text is what the visitor saw
//! (alias, no notes, dot-stuffed), the language is the conversation's, and the audit log
//! holds one `transcript_mailed` entry.

use super::*;
use crate::both_backends;

both_backends!(transcript_arrives_over_starttls, |db| {
    let sink = Sink::start(Mode::StartTls);
    let server = server_for(db, &sink);
    let id = chat(&server, Some(CUSTOMER), "de");
    let mut admin = server.admin();
    let path = format!("/console/conversations/{}", id.0);
    let page = admin.get(&path);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"mail-form\""),
        "the form is offered"
    );
    assert!(
        page.body
            .contains(&format!("action=\"/console/conversations/{}/mail\"", id.0))
    );
    assert!(
        page.body.contains(CUSTOMER),
        "staff with contacts:read see the address"
    );
    let csrf = page.csrf();

    // Without the CSRF token nothing is read or sent.
    let forged = admin.post(&format!("{path}/mail"), &[]);
    assert_eq!(forged.status, 403);
    assert!(sink.received().is_empty());
    assert!(audited(&server, "transcript_mailed").is_empty());

    let r = admin.post(&format!("{path}/mail"), &[("csrf", &csrf)]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"mail-result\""), "{}", r.body);

    let mails = sink.received();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert!(m.tls, "the message travelled inside STARTTLS");
    assert_eq!(
        m.auth.as_deref(),
        Some(USER),
        "AUTH with the configured user"
    );
    assert_eq!(m.rcpt_tos, vec![CUSTOMER.to_string()], "only the customer");
    assert_eq!(m.mail_from, "chat@example.de");
    assert_eq!(m.header("To").as_deref(), Some(CUSTOMER));
    assert!(m.header("From").unwrap().contains("chat@example.de"));
    assert!(m.header("Date").is_some() && m.header("Message-ID").is_some());
    assert!(
        m.header("Content-Type")
            .unwrap()
            .starts_with("text/plain; charset=utf-8")
    );
    let subject = m.header("Subject").unwrap();
    assert!(subject.contains("Ihr Chat mit Shop"), "German: {subject}");
    let text = m.text();
    assert!(text.contains(VISITOR_SAYS), "{text}");
    assert!(text.contains(OPERATOR_SAYS), "{text}");
    assert!(
        text.contains(&format!("{ALIAS}:\n")),
        "the alias the visitor saw: {text}"
    );
    assert!(!text.contains(REAL_NAME), "never the real name: {text}");
    assert!(!text.contains(NOTE), "internal notes stay inside: {text}");
    assert!(
        text.contains("  Danke!\n  .\n  Noch eine Zeile nach dem Punkt."),
        "a lone dot survives SMTP (dot-stuffing): {text}"
    );
    assert!(text.contains("] Sie:\n"), "German labels: {text}");
    // Nothing but the greeting and STARTTLS happened in clear.
    let clear: Vec<_> = sink
        .events()
        .into_iter()
        .filter(|e| e.ends_with("tls=0"))
        .collect();
    assert_eq!(clear, vec!["EHLO tls=0", "STARTTLS tls=0"]);
    assert!(
        sink.events().contains(&"MAIL tls=1".to_string()),
        "the probe sees MAIL"
    );

    assert_eq!(
        audited(&server, "transcript_mailed"),
        vec![(Some(id.0), "ok".to_string())]
    );

    // An English conversation gets an English mail.
    let en = chat(&server, Some("john@example.com"), "en");
    let page = admin.get(&format!("/console/conversations/{}", en.0));
    let r = admin.post(
        &format!("/console/conversations/{}/mail", en.0),
        &[("csrf", &page.csrf())],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mails = sink.received();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].rcpt_tos, vec!["john@example.com".to_string()]);
    assert!(
        mails[1]
            .header("Subject")
            .unwrap()
            .starts_with("Your chat with Shop")
    );
    assert!(mails[1].text().contains("] You:\n"), "{}", mails[1].text());
});

both_backends!(no_address_or_no_relay_sends_nothing, |db| {
    let sink = Sink::start(Mode::StartTls);
    let server = server_for(db, &sink);
    let id = chat(&server, None, "de");
    let mut admin = server.admin();
    let path = format!("/console/conversations/{}", id.0);
    let page = admin.get(&path);
    assert!(
        page.body.contains("id=\"mail-no-address\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"mail-form\""));
    let r = admin.post(&format!("{path}/mail"), &[("csrf", &page.csrf())]);
    assert_eq!(r.status, 409);
    assert!(sink.received().is_empty());
    // The read found no address: recorded as a failed attempt, nothing else.
    assert_eq!(
        audited(&server, "transcript_mailed"),
        vec![(Some(id.0), "failed".to_string())]
    );

    // Mail off (no host): the page says so, a POST changes nothing.
    let off = TestServer::start(db);
    let id = chat(&off, Some(CUSTOMER), "de");
    let mut admin = off.admin();
    let path = format!("/console/conversations/{}", id.0);
    let page = admin.get(&path);
    assert!(page.body.contains("id=\"mail-off\""), "{}", page.body);
    let r = admin.post(&format!("{path}/mail"), &[("csrf", &page.csrf())]);
    assert_eq!(r.status, 409);
    assert!(audited(&off, "transcript_mailed").is_empty());
});

// A role that reads conversations but not contacts sends to the address without seeing it.
both_backends!(
    operator_without_contacts_sends_without_seeing_the_address,
    |db| {
        let sink = Sink::start(Mode::StartTls);
        let server = server_for(db, &sink);
        let id = chat(&server, Some(CUSTOMER), "de");
        // A custom role: conversations read (all), no contacts.
        let mut m = plauder::access::Matrix::empty();
        m.set(
            plauder::access::Area::Conversations,
            plauder::access::Grant {
                level: plauder::access::Level::Read,
                scope: plauder::access::Scope::All,
            },
        );
        let now = server.clock.now().naive_utc();
        let role = plauder::db::roles::create(&mut server.conn(), "Nur lesen", &m, now).unwrap();
        let leser = crate::support::add_staff(&server, "leser", Role::Operator, None);
        let team = plauder::db::teams::DEFAULT_TEAM;
        assert!(
            plauder::db::staff::set_access(&mut server.conn(), leser, role, &[team], now).unwrap()
        );
        let mut reader = server.login("leser", crate::support::GOOD_PASSWORD);
        let path = format!("/console/conversations/{}", id.0);
        let page = reader.get(&path);
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("id=\"mail-form\""));
        assert!(!page.body.contains(CUSTOMER), "the address stays hidden");
        let r = reader.post(&format!("{path}/mail"), &[("csrf", &page.csrf())]);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains(CUSTOMER));
        assert_eq!(sink.received()[0].rcpt_tos, vec![CUSTOMER.to_string()]);
    }
);
