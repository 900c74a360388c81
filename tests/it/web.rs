//! Pages and headers as a browser sees them.

use crate::support::{Db, TestServer};

#[test]
fn security_headers_on_every_page() {
    let server = TestServer::start(Db::Sqlite);
    let mut c = server.client();
    for path in ["/login", "/healthz", "/nope", "/static/app.css"] {
        let r = c.get(path);
        assert_eq!(
            r.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        let csp = r.header("content-security-policy").unwrap();
        for part in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "script-src 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
    }
    let page = c.get("/login");
    assert!(
        !page.body.contains("<script"),
        "no inline script on admin pages"
    );
    assert!(
        !page.body.contains("http://") && !page.body.contains("//cdn"),
        "nothing from elsewhere"
    );
}

#[test]
fn language_follows_accept_language_and_the_switch() {
    let server = TestServer::start(Db::Sqlite);
    let mut c = server.client();
    c.accept_language = "de-DE,de;q=0.9".into();
    let de = c.get("/login");
    assert!(de.body.contains("<html lang=\"de\">") && de.body.contains("Anmelden"));
    c.accept_language = "fr-FR".into();
    assert!(
        c.get("/login").body.contains("<html lang=\"de\">"),
        "German is the fallback"
    );
    c.accept_language = "en-GB".into();
    let en = c.get("/login");
    assert!(en.body.contains("Sign in"));
    let r = c.post(
        "/lang",
        &[("lang", "de"), ("csrf", &en.csrf()), ("next", "/login")],
    );
    assert_eq!((r.status, r.location()), (303, "/login"));
    assert!(
        c.get("/login").body.contains("Anmelden"),
        "the switch beats Accept-Language"
    );
    let evil = c.post(
        "/lang",
        &[
            ("lang", "en"),
            ("csrf", &en.csrf()),
            ("next", "//evil.example/"),
        ],
    );
    assert_eq!(evil.location(), "/", "no open redirect");
    let bad = c.post("/lang", &[("lang", "xx"), ("csrf", &en.csrf())]);
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("xx"));
}

#[test]
fn user_content_is_escaped() {
    let server = TestServer::start(Db::Sqlite);
    let mut c = server.client();
    let csrf = c.get("/login").csrf();
    let r = c.post(
        "/login",
        &[
            ("username", "<script>alert(1)</script>"),
            ("password", "x"),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 401);
    assert!(!r.body.contains("<script>alert(1)"));
    assert!(
        r.body.contains("&#60;script&#62;") || r.body.contains("&lt;script&gt;"),
        "{}",
        r.body
    );
}

#[test]
fn health_and_readiness() {
    let server = TestServer::start(Db::Sqlite);
    let mut c = server.client();
    assert_eq!(c.get("/healthz").status, 200);
    assert_eq!(c.get("/readyz").status, 200);
    assert_eq!(c.get("/").location(), "/login");
}

#[test]
fn plain_http_only_redirects_to_https() {
    let server = TestServer::start_with(Db::Sqlite, |c| {
        c.general.http_redirect_listen = "127.0.0.1:0".into();
        c.general.public_url = "https://chat.example.de".into();
    });
    use std::io::{Read, Write};
    let mut tcp = std::net::TcpStream::connect(server.redirect_addr.unwrap()).unwrap();
    tcp.write_all(b"GET /login?x=1 HTTP/1.1\r\nHost: chat.example.de\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 308"), "{answer}");
    assert!(
        answer
            .to_lowercase()
            .contains("location: https://chat.example.de/login?x=1"),
        "{answer}"
    );
}

#[test]
fn oversized_and_malformed_forms_get_4xx() {
    let server = TestServer::start(Db::Sqlite);
    let mut c = server.client();
    let csrf = c.get("/login").csrf();
    let long = "a".repeat(5000);
    let r = c.post(
        "/login",
        &[("username", &long), ("password", "x"), ("csrf", &csrf)],
    );
    assert_eq!(r.status, 400);
    let r = c.send("POST", "/login", Some("username=%ZZ&&=".into()));
    assert!((400..500).contains(&r.status), "{}", r.status);
    // A body over the form limit is refused from its Content-Length, before it is read.
    let mut tls = crate::support::client::connect(server.addr, server.tls()).unwrap();
    let head = "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n";
    let r = crate::support::client::exchange(&mut tls, head, b"username=a");
    assert_eq!(r.status, 413);
}
