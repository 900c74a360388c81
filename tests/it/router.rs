//! The widget router over real HTTPS on both backends: rules made through the admin forms,
//! `POST /w/route` answering the widget a page should show, the country database upload.
//! `privacy` proves the routing inputs reach neither database nor log; `browser` routes a
//! German-language Chromium.

mod admin;
mod browser;
mod country;
pub mod mmdb;
mod privacy;

use crate::both_backends;
use crate::support::TestServer;
use crate::support::client::{self, Client, Response};
use crate::widgets::create_widget;
use diesel::prelude::*;

pub const SHOP: &str = "https://shop.example.de";
pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

/// A widget through the admin UI that may be embedded on `origins`; returns its public id.
pub fn widget(admin: &mut Client, name: &str, origins: &str, color: &str) -> String {
    create_widget(
        admin,
        &[
            ("name", name),
            ("allowed_origins", origins),
            ("greeting", "Hallo!"),
            ("accent_color", color),
            ("position", "bottom-right"),
            ("default_lang", "de"),
        ],
    )
}

/// Adds a rule through the admin form; the response of the POST.
pub fn add_rule(admin: &mut Client, fields: &[(&str, &str)]) -> Response {
    let csrf = admin.get("/admin/router/new").csrf();
    let mut all = fields.to_vec();
    if !fields.iter().any(|(k, _)| *k == "url_kind") {
        all.push(("url_kind", "prefix"));
    }
    all.push(("csrf", &csrf));
    admin.post("/admin/router", &all)
}

/// One raw request to the route endpoint as the loader sends it.
pub struct Ask<'a> {
    pub widget: &'a str,
    pub url: &'a str,
    pub lang: Option<&'a str>,
    pub origin: &'a str,
    pub headers: Vec<(&'a str, String)>,
}

impl<'a> Ask<'a> {
    pub fn new(widget: &'a str) -> Self {
        Self {
            widget,
            url: "https://shop.example.de/de/kontakt",
            lang: None,
            origin: SHOP,
            headers: vec![("User-Agent", FIREFOX.into())],
        }
    }

    pub fn lang(mut self, lang: &'a str) -> Self {
        self.lang = Some(lang);
        self
    }

    pub fn header(mut self, name: &'a str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name, value.into()));
        self
    }

    pub fn send_to(
        &self,
        addr: std::net::SocketAddr,
        tls: std::sync::Arc<rustls::ClientConfig>,
        path: &str,
    ) -> Response {
        let body = serde_json::json!({"widget": self.widget, "url": self.url, "lang": self.lang})
            .to_string();
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nOrigin: {}\r\n\
             Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n",
            self.origin,
            body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut tls = client::connect(addr, tls).unwrap();
        client::exchange(&mut tls, &head, body.as_bytes())
    }

    pub fn send(&self, server: &TestServer) -> Response {
        self.send_to(server.addr, server.tls(), "/w/route")
    }

    /// The widget the server picked.
    pub fn pick(&self, server: &TestServer) -> String {
        let r = self.send(server);
        assert_eq!(r.status, 200, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        v["widget"].as_str().unwrap().to_string()
    }
}

pub fn rule_count(server: &TestServer) -> i64 {
    plauder::db::schema::route_rules::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

/// The ids of the rules in the order the list shows them.
pub fn listed_rule_ids(admin: &mut Client) -> Vec<String> {
    let page = admin.get("/admin/router");
    page.body
        .split("<tr id=\"rule-")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

both_backends!(a_german_browser_gets_the_widget_its_rule_names, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    let default = widget(&mut admin, "Shop", SHOP, "#0b5cad");
    let german = widget(&mut admin, "Shop DE", SHOP, "#aa2200");
    let elsewhere = widget(&mut admin, "Elsewhere", "https://other.example", "#00aa22");
    assert_eq!(
        Ask::new(&default).lang("de").pick(&server),
        default,
        "no rule yet"
    );

    let r = add_rule(&mut admin, &[("lang", "de"), ("target", &german)]);
    assert_eq!(
        (r.status, r.location()),
        (303, "/admin/router?done=saved"),
        "{}",
        r.body
    );
    let answer = Ask::new(&default).lang("de-DE").send(&server);
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains(&german), "{}", answer.body);
    assert_eq!(answer.header("access-control-allow-origin"), Some(SHOP));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert!(
        answer.all("set-cookie").is_empty(),
        "routing sets no cookie"
    );
    assert_eq!(Ask::new(&default).lang("en-GB").pick(&server), default);
    assert_eq!(Ask::new(&default).lang("fr").pick(&server), default);
    // Without a language in the body, the browser's Accept-Language decides.
    let by_header = Ask::new(&default).header("Accept-Language", "de-AT,de;q=0.9,en;q=0.5");
    assert_eq!(by_header.pick(&server), german);
    let english = Ask::new(&default).header("Accept-Language", "en-US,en;q=0.9,de;q=0.5");
    assert_eq!(english.pick(&server), default);

    // A page the default widget does not allow gets its own widget and no CORS grant.
    let mut foreign = Ask::new(&default).lang("de");
    foreign.origin = "https://evil.example";
    let r = foreign.send(&server);
    assert!(r.body.contains(&default) && r.header("access-control-allow-origin").is_none());

    // A rule naming a widget that may not be shown on this site is skipped.
    let r = add_rule(&mut admin, &[("lang", "de"), ("target", &elsewhere)]);
    assert_eq!(r.status, 303);
    let ids = listed_rule_ids(&mut admin);
    assert_eq!(ids.len(), 2);
    let csrf = admin.get("/admin/router").csrf();
    let r = admin.post(
        &format!("/admin/router/{}/move", ids[1]),
        &[("direction", "up"), ("csrf", &csrf)],
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        listed_rule_ids(&mut admin),
        [ids[1].clone(), ids[0].clone()],
        "moved up"
    );
    assert_eq!(Ask::new(&default).lang("de").pick(&server), german);

    // Order decides: a catch-all rule first wins over the language rule.
    let catch_all = add_rule(&mut admin, &[("target", &default)]);
    assert_eq!(catch_all.status, 303);
    let ids = listed_rule_ids(&mut admin);
    for _ in 0..2 {
        let r = admin.post(
            &format!("/admin/router/{}/move", ids[2]),
            &[("direction", "up"), ("csrf", &csrf)],
        );
        assert_eq!(r.status, 303);
    }
    assert_eq!(listed_rule_ids(&mut admin)[0], ids[2]);
    assert_eq!(Ask::new(&default).lang("de").pick(&server), default);
    let r = admin.post(
        &format!("/admin/router/{}/delete", ids[2]),
        &[("csrf", &csrf)],
    );
    assert_eq!(
        (r.status, r.location()),
        (303, "/admin/router?done=deleted")
    );
    assert_eq!(Ask::new(&default).lang("de").pick(&server), german);

    // Editing a rule takes effect at once; URL rules see the address without its query.
    let first = listed_rule_ids(&mut admin)[1].clone();
    let edit = admin.get(&format!("/admin/router/{first}"));
    assert_eq!(edit.status, 200);
    let r = admin.post(
        &format!("/admin/router/{first}"),
        &[
            ("url_kind", "glob"),
            ("url_pattern", "https://shop.example.de/*/kontakt"),
            ("target", &german),
            ("csrf", &edit.csrf()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mut page = Ask::new(&default);
    page.url = "https://shop.example.de/at/kontakt?ref=x#top";
    assert_eq!(page.pick(&server), german);
    page.url = "https://shop.example.de/at/impressum";
    assert_eq!(page.pick(&server), default);

    assert_eq!(Ask::new("no-such-widget").send(&server).status, 404);
    let r = client::exchange(
        &mut client::connect(server.addr, server.tls()).unwrap(),
        "POST /w/route HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 9\r\n\r\n",
        b"not json!",
    );
    assert_eq!(r.status, 400);
    assert!(
        !r.body.contains("not json"),
        "no echo of the input: {}",
        r.body
    );
});

/// A multipart upload of `bytes` as the `mmdb` field, as a browser sends the form.
pub fn upload(
    addr: std::net::SocketAddr,
    tls: std::sync::Arc<rustls::ClientConfig>,
    admin: &Client,
    csrf: &str,
    bytes: &[u8],
) -> Response {
    let boundary = "----plauderTestBoundary7MA4YWxk";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"mmdb\"; filename=\"countries.mmdb\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let jar: Vec<String> = admin
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let head = format!(
        "POST /admin/router/geoip HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Accept-Language: en\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\n\r\n",
        jar.join("; "),
        body.len()
    );
    let mut tls = client::connect(addr, tls).unwrap();
    client::exchange(&mut tls, &head, &body)
}
