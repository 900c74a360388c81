//! How operators appear to visitors: uploads are re-encoded without their metadata (a JPEG
//! with EXIF GPS comes back without it), SVG is refused with a clear error, and an alias is
//! all a visitor receives: in every websocket frame, the data frame and both downloads.

use crate::both_backends;
use crate::support::client::{self, Client, Response};
use crate::support::ws::{Ws, hello, say};
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use crate::visitor::{visitor, widget};
use diesel::prelude::*;
use plauder::db::schema::operator_profiles;
use plauder::db::staff::Role;
use serde_json::{Value, json};

const MARKER: &[u8] = b"PLAUDER-GPS-52.5200N";

/// A JPEG photo with an EXIF block holding a GPS position and a marker description.
pub fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 128])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    // TIFF (little endian): IFD0 at 8 with ImageDescription and the GPS IFD pointer; the
    // GPS IFD at 60 with latitude reference and latitude (three rationals at 90).
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x010E, 2, MARKER.len() as u32 + 1, 38);
    entry(&mut t, 0x8825, 4, 1, 60);
    t.extend(0u32.to_le_bytes());
    t.extend(MARKER);
    t.push(0);
    t.resize(60, 0);
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, 90);
    t.extend(0u32.to_le_bytes());
    for (n, d) in [(52u32, 1u32), (31, 1), (1234, 100)] {
        t.extend(n.to_le_bytes());
        t.extend(d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The appearance form as a browser sends it (multipart, with an optional picture).
pub fn save_appearance(
    server: &TestServer,
    c: &Client,
    path: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    picture: Option<(&str, &[u8])>,
) -> Response {
    let boundary = "----plauderAccountBoundary4f9";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf)].iter().chain(fields) {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    let (file, bytes) = picture.unwrap_or(("", b""));
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"picture\"; filename=\"{file}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let jar: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Language: en\r\n\
         Cookie: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\n\r\n",
        jar.join("; "),
        body.len()
    );
    let mut tls = client::connect(server.addr, server.tls()).unwrap();
    client::exchange(&mut tls, &head, &body)
}

/// GET returning the raw body bytes (the test client's `Response` holds text).
fn get_bytes(server: &TestServer, path: &str) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut tls = client::connect(server.addr, server.tls()).unwrap();
    write!(
        tls,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

both_backends!(an_uploaded_jpeg_comes_back_without_its_gps_data, |db| {
    let server = TestServer::start(db);
    let kim = add_staff(&server, "kim", Role::Operator, None);
    let mut c = server.login("kim", GOOD_PASSWORD);
    let csrf = c.get("/account").csrf();
    let photo = jpeg_with_gps();
    // The probe finds what it looks for in the original.
    assert!(contains(&photo, MARKER) && contains(&photo, b"Exif\0\0"));
    let fields = [
        ("full_name", "Kim Berger"),
        ("shown_as", "first"),
        ("alias", ""),
        ("avatar", "none"),
    ];
    let r = save_appearance(
        &server,
        &c,
        "/account/appearance",
        &csrf,
        &fields,
        Some(("urlaub.jpg", &photo)),
    );
    assert_eq!(
        (r.status, r.location()),
        (303, "/account?done=appearance"),
        "{}",
        r.body
    );
    let page = c.get("/account");
    assert!(page.body.contains("Visitors now see: Kim"));
    let marker = "/widget/avatar/";
    let start = page.body.find(&format!("src=\"{marker}")).unwrap() + 5;
    let url = &page.body[start..start + page.body[start..].find('"').unwrap()];
    assert!(url.ends_with(".png") && !url.contains("stock"), "{url}");

    let (status, head, png) = get_bytes(&server, url);
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: image/png"),
        "{head}"
    );
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(!contains(&png, MARKER), "the description is gone");
    assert!(
        !contains(&png, b"Exif") && !contains(&png, b"eXIf"),
        "no EXIF at all"
    );
    assert!(!contains(
        &png,
        &52u32
            .to_le_bytes()
            .iter()
            .chain(&1u32.to_le_bytes())
            .copied()
            .collect::<Vec<u8>>()
    ));
    let decoded = image::load_from_memory(&png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (192, 192));
    // Stored encrypted: neither the PNG nor the marker is in the row.
    let stored: Option<Vec<u8>> = operator_profiles::table
        .find(kim.0)
        .select(operator_profiles::avatar_enc)
        .first(&mut *server.conn())
        .unwrap();
    let stored = stored.unwrap();
    assert!(!contains(&stored, b"PNG") && !contains(&stored, MARKER));
    assert_eq!(
        get_bytes(
            &server,
            "/widget/avatar/0123456789abcdef0123456789abcdef.png"
        )
        .0,
        404
    );
    assert_eq!(get_bytes(&server, "/widget/avatar/../../etc.png").0, 404);
});

both_backends!(
    an_svg_is_refused_with_a_clear_error_and_nothing_changes,
    |db| {
        let server = TestServer::start(db);
        let kim = add_staff(&server, "kim", Role::Operator, None);
        let mut c = server.login("kim", GOOD_PASSWORD);
        let csrf = c.get("/account").csrf();
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>"#;
        let fields = [
            ("full_name", "Kim Berger"),
            ("shown_as", "full"),
            ("alias", ""),
            ("avatar", "none"),
        ];
        let r = save_appearance(
            &server,
            &c,
            "/account/appearance",
            &csrf,
            &fields,
            Some(("bild.png", svg)),
        );
        assert_eq!(r.status, 400);
        assert!(
            r.body
                .contains("SVG pictures are not accepted because they can contain scripts"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("id=\"picture-error\""),
            "the field is named"
        );
        assert!(
            r.body.contains("value=\"Kim Berger\""),
            "the form keeps what was typed"
        );
        let rows: i64 = operator_profiles::table
            .count()
            .get_result(&mut *server.conn())
            .unwrap();
        assert_eq!(rows, 0, "nothing stored");
        // Other refusals name their field too.
        let fields = [
            ("full_name", "Kim"),
            ("shown_as", "alias"),
            ("alias", " "),
            ("avatar", "stock:../x"),
        ];
        let r = save_appearance(&server, &c, "/account/appearance", &csrf, &fields, None);
        assert_eq!(r.status, 400);
        assert!(r.body.contains("id=\"alias-error\"") && r.body.contains("Enter an alias"));
        assert!(r.body.contains("Choose a picture or upload one."));
        let _ = kim;
    }
);

/// Every raw text frame until one of `kind` (included).
fn frames_until(ws: &mut Ws, kind: &str, seen: &mut Vec<String>) -> Value {
    loop {
        if let tungstenite::Message::Text(t) = ws.0.read().unwrap() {
            seen.push(t.to_string());
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == kind {
                return v;
            }
        }
    }
}

fn operator_socket(server: &TestServer, c: &Client) -> Ws {
    let cookie = format!("__Host-plauder={}", c.cookies["__Host-plauder"]);
    let mut ws = crate::support::ws::open(
        server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    ws.recv_type("hello");
    ws
}

both_backends!(with_an_alias_visitors_receive_only_the_alias, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "kim.berger", Role::Operator, None);
    let mut c = server.login("kim.berger", GOOD_PASSWORD);
    let csrf = c.get("/account").csrf();
    let set = |shown_as: &str| {
        let fields = [
            ("full_name", "Anneliese Quastenberg"),
            ("shown_as", shown_as),
            ("alias", "Kiwi"),
            ("avatar", "stock:leaf"),
        ];
        let r = save_appearance(&server, &c, "/account/appearance", &csrf, &fields, None);
        assert_eq!(r.status, 303, "{}", r.body);
    };
    set("full");
    let w = widget(&server, false);
    let mut op = operator_socket(&server, &c);
    let mut v = visitor(&server, &w);
    let mut seen = Vec::new();
    hello(&mut v, None);
    say(&mut v, "v1", "Hallo?");
    let token = frames_until(&mut v, "started", &mut seen)["token"]
        .as_str()
        .unwrap()
        .to_string();
    frames_until(&mut v, "ack", &mut seen);
    let queue = loop {
        let q = op.recv_queue();
        if !q["conversations"].as_array().unwrap().is_empty() {
            break q;
        }
    };
    let id = queue["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    op.send(json!({"type": "take", "conversation": id}));
    op.send(json!({"type": "send", "conversation": id, "id": "r1", "text": "Guten Tag!"}));
    let reply = frames_until(&mut v, "message", &mut seen);
    // The probe: with the full name chosen, the frame carries it.
    assert_eq!(reply["operator"]["name"], "Anneliese Quastenberg");
    assert_eq!(reply["operator"]["avatar"], "/widget/avatar/stock/leaf.svg");
    assert!(seen.iter().any(|f| f.contains("Quastenberg")));

    set("alias");
    op.send(
        json!({"type": "send", "conversation": id, "id": "r2", "text": "Wie kann ich helfen?"}),
    );
    let mut after = Vec::new();
    let reply = frames_until(&mut v, "message", &mut after);
    assert_eq!(reply["operator"]["name"], "Kiwi");
    // A resumed socket gets every message again, the earlier reply under the alias too.
    drop(v);
    let mut v = visitor(&server, &w);
    hello(&mut v, Some((&token, 0)));
    let mut names = Vec::new();
    while names.len() < 2 {
        let m = frames_until(&mut v, "message", &mut after);
        if m["from"] == "operator" {
            names.push(m["operator"]["name"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(names, ["Kiwi", "Kiwi"]);
    v.send(json!({"v": 1, "type": "data"}));
    let data = frames_until(&mut v, "data", &mut after);
    let mut everything = after.join("\n");
    for url in [&data["json_url"], &data["html_url"]] {
        let r = server.client().get(url.as_str().unwrap());
        assert_eq!(r.status, 200);
        everything.push_str(&r.body);
    }
    assert!(everything.contains("Kiwi"));
    for real in ["Anneliese", "Quastenberg", "kim.berger"] {
        assert!(!everything.contains(real), "{real} reached the visitor");
    }
});
