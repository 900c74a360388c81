//! Failures are shown, not swallowed, and audited: a relay that is down, a relay that
//! refuses the recipient (its own reply on the page, never the password), and a relay that
//! offers no STARTTLS while it is required (refused after EHLO: nothing sent in clear).

use super::*;
use crate::both_backends;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

fn send(server: &TestServer, id: ConversationId) -> crate::support::client::Response {
    let mut admin = server.admin();
    let path = format!("/console/conversations/{}", id.0);
    let csrf = admin.get(&path).csrf();
    admin.post(&format!("{path}/mail"), &[("csrf", &csrf)])
}

both_backends!(relay_down_is_shown_and_audited_as_failed, |db| {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sink = Sink::start(Mode::StartTls);
    let server = TestServer::start_with(db, |c| {
        sink.configure(c);
        c.mail.port = port;
    });
    let id = chat(&server, Some(CUSTOMER), "de");
    let r = send(&server, id);
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    assert!(
        r.body.to_lowercase().contains("connection refused")
            || r.body.to_lowercase().contains("connection error"),
        "the reason is on the page: {}",
        r.body
    );
    assert!(!r.body.contains(PASSWORD));
    assert_eq!(
        audited(&server, "transcript_mailed"),
        vec![
            (Some(id.0), "ok".to_string()),
            (Some(id.0), "failed".to_string())
        ],
        "the read, then the failed delivery"
    );
});

both_backends!(relay_refusal_is_shown_with_its_reply, |db| {
    let sink = Sink::start(Mode::Reject);
    let server = server_for(db, &sink);
    let id = chat(&server, Some(CUSTOMER), "de");
    let r = send(&server, id);
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(
        r.body
            .contains("mailbox unavailable here (sink reject mode)"),
        "the relay's own reply: {}",
        r.body
    );
    assert!(r.body.contains("550"), "{}", r.body);
    assert!(!r.body.contains(PASSWORD), "never the password");
    assert!(sink.received().is_empty());
    assert!(
        sink.events().contains(&"AUTH-OK tls=1".to_string()),
        "it got as far as AUTH over TLS"
    );
    assert_eq!(
        audited(&server, "transcript_mailed"),
        vec![
            (Some(id.0), "ok".to_string()),
            (Some(id.0), "failed".to_string())
        ]
    );
});

/// Speaks SMTP in clear to the sink: the probe must see a clear-text MAIL when there is one.
fn plant_clear_mail(port: u16) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    let mut reply = |reader: &mut BufReader<TcpStream>| loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            break line.clone();
        }
    };
    reply(&mut reader);
    for cmd in [
        "EHLO probe\r\n",
        "MAIL FROM:<probe@example.de>\r\n",
        "QUIT\r\n",
    ] {
        writer.write_all(cmd.as_bytes()).unwrap();
        reply(&mut reader);
    }
}

both_backends!(starttls_required_but_not_offered_sends_nothing, |db| {
    let sink = Sink::start(Mode::Plain);
    plant_clear_mail(sink.port);
    assert!(
        sink.events().contains(&"MAIL tls=0".to_string()),
        "the probe sees a clear-text MAIL: {:?}",
        sink.events()
    );
    std::fs::write(sink.dir.join("events.log"), "").unwrap();

    let server = server_for(db, &sink);
    let id = chat(&server, Some(CUSTOMER), "de");
    let r = send(&server, id);
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains("STARTTLS"), "the page says why: {}", r.body);
    let events = sink.events();
    assert!(!events.is_empty(), "plauder did connect");
    assert!(
        events.iter().all(|e| e == "EHLO tls=0"),
        "nothing but EHLO in clear (no AUTH, MAIL, RCPT, DATA): {events:?}"
    );
    assert!(sink.received().is_empty());
    assert_eq!(
        audited(&server, "transcript_mailed"),
        vec![
            (Some(id.0), "ok".to_string()),
            (Some(id.0), "failed".to_string())
        ]
    );
});
