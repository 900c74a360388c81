//! Staff accounts over real HTTPS on both backends: the TOTP second factor and its login
//! step, recovery codes, mandatory enrolment, sessions, password change, and how operators
//! appear to visitors (alias, avatars, uploads stripped of metadata).

pub mod appearance;
mod reset;
mod second_factor;
mod sessions;

use crate::support::TestServer;
use crate::support::client::{self, Client, Response};
use plauder::clock::Clock as _;

/// The server's clock as Unix seconds (the TOTP time).
pub fn unix(server: &TestServer) -> u64 {
    u64::try_from(server.clock.now().timestamp()).unwrap()
}

/// The current code for a secret, at the server's (manual) clock.
pub fn code(server: &TestServer, secret: &[u8]) -> String {
    plauder::auth::totp::code_at(secret, unix(server)).unwrap()
}

/// Moves the clock into the next 30-second step, so a new code exists.
pub fn next_step(server: &TestServer) {
    server.clock.advance(chrono::TimeDelta::seconds(30));
}

/// The Base32 key shown on the enrolment page, decoded.
pub fn shown_secret(page: &Response) -> Vec<u8> {
    let marker = "<code class=\"secret\" id=\"secret\">";
    let start = page.body.find(marker).expect("page shows the key") + marker.len();
    let end = page.body[start..].find('<').unwrap() + start;
    let key: String = page.body[start..end].split_whitespace().collect();
    totp_rs::Secret::try_from_base32(&key)
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// The recovery codes on the page that shows them once.
pub fn shown_codes(page: &Response) -> Vec<String> {
    let list = &page.body[page.body.find("id=\"recovery-codes\"").expect("codes list")..];
    list.split("<code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect()
}

/// Enrols the signed-in client through the pages; returns the secret and recovery codes.
pub fn enrol(server: &TestServer, c: &mut Client) -> (Vec<u8>, Vec<String>) {
    let page = c.get("/account/second-factor");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.post("/account/second-factor/begin", &[("csrf", &page.csrf())]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get("/account/second-factor");
    assert!(page.body.contains("<svg"), "the QR code is drawn inline");
    let secret = shown_secret(&page);
    let r = c.post(
        "/account/second-factor/confirm",
        &[("csrf", &page.csrf()), ("code", &code(server, &secret))],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let codes = shown_codes(&r);
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Signs in with the password only: the answer of POST /login.
pub fn password_step(server: &TestServer, user: &str, password: &str) -> (Client, Response) {
    let mut c = server.client();
    let page = c.get("/login");
    let r = c.post(
        "/login",
        &[
            ("username", user),
            ("password", password),
            ("csrf", &page.csrf()),
        ],
    );
    (c, r)
}

/// Submits the second step with `code`.
pub fn second_step(c: &mut Client, code: &str) -> Response {
    let page = c.get("/login/second-factor");
    assert_eq!(page.status, 200, "second-step form: {}", page.body);
    c.post(
        "/login/second-factor",
        &[("code", code), ("csrf", &page.csrf())],
    )
}

/// A login with a user agent, as a browser sends it (the test client sends none).
pub fn login_as_browser(server: &TestServer, user: &str, password: &str, ua: &str) -> Client {
    let mut c = server.client();
    let page = c.get("/login");
    let body = format!(
        "username={}&password={}&csrf={}",
        client::urlencode(user),
        client::urlencode(password),
        client::urlencode(&page.csrf())
    );
    let jar: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nUser-Agent: {ua}\r\n\
         Cookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        jar.join("; "),
        body.len()
    );
    let mut tls = client::connect(server.addr, server.tls()).unwrap();
    let r = client::exchange(&mut tls, &head, body.as_bytes());
    assert_eq!(r.status, 303, "{}", r.body);
    let cookie = r
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-plauder="))
        .unwrap();
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    c.cookies.insert("__Host-plauder".into(), value.to_string());
    c
}
