//! `GET /metrics` on its own plain-HTTP listener: requests by route pattern and status with
//! latency histograms, open websockets by kind, messages stored, the certificate's expiry;
//! never personal data or raw paths in a label. On both backends.

use crate::both_backends;
use crate::support::TestServer;
use crate::support::ws::{hello, open, say};
use crate::visitor::{visitor, widget};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET; returns status, head and body.
fn plain_get(port: u16, path: &str) -> (u16, String, String) {
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    tcp.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

fn scrape(port: u16) -> String {
    let (status, head, body) = plain_get(port, "/metrics");
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    body
}

/// The value of one series, e.g. `plauder_websockets_open{kind="visitor"}`; 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().unwrap())
}

fn wait_for(port: u16, series: &str, expected: f64) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = scrape(port);
        if value(&text, series) == expected || Instant::now() > deadline {
            assert_eq!(value(&text, series), expected, "{series}: {text}");
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

both_backends!(metrics_count_requests_sockets_and_messages, |db| {
    let port = free_port();
    let server = TestServer::start_with(db, |c| {
        c.general.metrics_listen = format!("127.0.0.1:{port}");
    });
    let visitors = "plauder_websockets_open{kind=\"visitor\"}";
    let operators = "plauder_websockets_open{kind=\"operator\"}";
    let stored = "plauder_messages_stored_total{sender=\"visitor\"}";
    let before = scrape(port);
    assert_eq!(
        (value(&before, visitors), value(&before, stored)),
        (0.0, 0.0),
        "{before}"
    );

    let mut admin = server.admin();
    admin.get("/login?email=metric-leak-4711@example.de");
    admin.get("/no/such/page/metric-leak-4712");
    let canned = admin.get("/admin/canned/987654321/edit");
    let w = widget(&server, false);
    let mut ws = visitor(&server, &w);
    hello(&mut ws, None);
    say(&mut ws, "m1", "Hallo metric-leak-4713");
    ws.recv_type("ack");
    let cookie = format!("__Host-plauder={}", admin.cookies["__Host-plauder"]);
    let mut op = open(
        &server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    op.recv_type("hello");

    let during = wait_for(port, operators, 1.0);
    assert_eq!(value(&during, visitors), 1.0, "{during}");
    assert_eq!(value(&during, stored), 1.0, "{during}");
    let login = "plauder_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}";
    // The anonymous login page, then the signed-in admin's visit with a query (redirected).
    assert!(value(&during, login) >= 1.0, "{during}");
    let redirected = "plauder_http_requests_total{method=\"GET\",route=\"/login\",status=\"303\"}";
    assert_eq!(value(&during, redirected), 1.0, "{during}");
    let unmatched =
        "plauder_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}";
    assert_eq!(value(&during, unmatched), 1.0, "{during}");
    let edit = format!(
        "plauder_http_requests_total{{method=\"GET\",route=\"/admin/canned/{{id}}/edit\",status=\"{}\"}}",
        canned.status
    );
    assert_eq!(
        value(&during, &edit),
        1.0,
        "route pattern, not path: {during}"
    );
    let upgrades =
        "plauder_http_requests_total{method=\"GET\",route=\"/widget/ws\",status=\"101\"}";
    assert_eq!(value(&during, upgrades), 1.0, "{during}");
    let count = "plauder_http_request_duration_seconds_count{method=\"GET\",route=\"/login\"}";
    let inf =
        "plauder_http_request_duration_seconds_bucket{method=\"GET\",route=\"/login\",le=\"+Inf\"}";
    assert!(
        value(&during, count) >= 2.0 && value(&during, inf) == value(&during, count),
        "{during}"
    );
    let expiry = server
        .state
        .certs
        .summary()
        .unwrap()
        .not_after
        .and_utc()
        .timestamp();
    assert_eq!(
        value(&during, "plauder_tls_certificate_expiry_timestamp_seconds"),
        expiry as f64,
        "{during}"
    );
    // No personal data and no raw path: the probe finds what it should (routes), not these.
    assert!(during.contains("route=\"/login\""), "{during}");
    for leak in [
        "metric-leak",
        "987654321",
        "127.0.0.1",
        "example.de",
        "Hallo",
    ] {
        assert!(!during.contains(leak), "{leak} in metrics: {during}");
    }

    drop(ws);
    drop(op);
    wait_for(port, visitors, 0.0);
    // The two sockets end independently: wait for each.
    let after = wait_for(port, operators, 0.0);
    assert_eq!(
        value(&after, stored),
        1.0,
        "a counter, not a gauge: {after}"
    );
    // Only /metrics, only there: not on the other path, not on the public HTTPS port.
    assert_eq!(plain_get(port, "/readyz").0, 404);
    assert_eq!(server.client().get("/metrics").status, 404);
});

#[test]
fn metrics_are_off_unless_configured() {
    assert!(
        plauder::config::Config::default()
            .general
            .metrics_listen
            .is_empty()
    );
}
