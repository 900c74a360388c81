//! A whole chat against `plauder serve` (a child process whose log output is captured, as
//! in `cli`) logging at the most verbose level: nothing a visitor or operator wrote or
//! revealed reaches the log. The probe first proves it sees a planted marker.

use crate::both_backends;
use crate::cli::{Serve, base_command};
use crate::support::client::{Client, Tls, connect, tls_config};
use crate::support::ws::{Ws, default_consent};
use crate::support::{Db, pg::PgDatabase};
use rustls::pki_types::{CertificateDer, pem::PemObject};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;

const SITE: &str = "http://127.0.0.1:9999";

/// A unique marker of ASCII letters: no JSON escaping can hide it, and no digit masking
/// (the typing preview hides runs of digits) changes it.
fn marker(kind: &str) -> String {
    let letters: String = plauder::crypto::random_bytes::<12>()
        .unwrap()
        .iter()
        .map(|b| char::from(b'a' + b % 26))
        .collect();
    format!("{kind}Mk{letters}")
}

/// A websocket with extra request headers (the visitor's user agent).
fn socket(
    addr: SocketAddr,
    tls: Arc<rustls::ClientConfig>,
    path: &str,
    headers: &[(&str, &str)],
) -> Ws {
    let stream: Tls = connect(addr, tls).unwrap();
    let mut request = format!("wss://localhost{path}")
        .into_client_request()
        .unwrap();
    for (k, v) in headers {
        let key = tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap();
        request.headers_mut().insert(key, v.parse().unwrap());
    }
    let (ws, _) = tungstenite::client::client(request, stream).unwrap();
    Ws::from(ws)
}

fn waiting(op: &mut Ws) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let q = op.recv_queue();
        if let Some(c) = q["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "waiting")
        {
            return c["id"].as_str().unwrap().to_string();
        }
    }
    panic!("no waiting chat");
}

fn admin_password(dir: &Path, env: &[(&str, &str)]) -> String {
    let file = dir.with_file_name("admin-password");
    let out = base_command()
        .envs(env.iter().copied())
        .arg("--data-dir")
        .arg(dir)
        .args(["init", "--admin-password-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap()
        .to_string()
}

/// A widget without privacy mode and with the typing preview: the most data flowing.
fn make_widget(c: &mut Client, csrf: &str) -> String {
    let r = c.post(
        "/admin/widgets",
        &[
            ("csrf", csrf),
            ("name", "Logtest"),
            ("allowed_origins", SITE),
            ("greeting", "Moin"),
            ("accent_color", "#0b5cad"),
            ("position", "bottom-right"),
            ("default_lang", "de"),
            ("typing_preview", "on"),
            (
                "withdrawal_policy",
                plauder::widget::privacy::WithdrawalPolicy::default().as_str(),
            ),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = r.location().strip_prefix("/admin/widgets/").unwrap();
    id.split('?').next().unwrap().to_string()
}

both_backends!(a_whole_chat_leaves_no_personal_data_in_the_log, |db| {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pg = (db == Db::Postgres).then(PgDatabase::create);
    let url = pg.as_ref().map(|p| p.url.clone()).unwrap_or_default();
    let mut env = vec![
        ("PLAUDER_LOG_LEVEL", "trace"),
        ("PLAUDER_LOG_FORMAT", "json"),
    ];
    if pg.is_some() {
        env.push(("PLAUDER_DATABASE_URL", &url));
    }
    // `init` must see the same database as `serve`.
    let password = admin_password(&dir, &env);
    let serve = Serve::start_with_env(&dir, &env);
    let addr: SocketAddr = format!("127.0.0.1:{}", serve.port).parse().unwrap();
    let cert = CertificateDer::from_pem_file(dir.join("tls/cert.pem")).unwrap();
    let tls = tls_config(
        &cert,
        rustls::crypto::ring::default_provider(),
        rustls::ALL_VERSIONS,
    );

    let m = |k: &str| marker(k);
    let (planted, text, preview, reply, note, draft) = (
        m("Planted"),
        m("VisitorText"),
        m("Preview"),
        m("Reply"),
        m("Note"),
        m("Draft"),
    );
    let (name, email_local, offline, agent, page, referrer) = (
        m("Name"),
        m("mail"),
        m("Offline"),
        m("Agent"),
        m("Page"),
        m("Ref"),
    );
    let email = format!("{email_local}@example.de");

    let mut admin = Client::new(addr, tls.clone());
    let csrf = admin.get("/login").csrf();
    let r = admin.post(
        "/login",
        &[
            ("username", "admin"),
            ("password", &password),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 303);
    let csrf = admin.get("/admin/widgets/new").csrf();
    let widget = make_widget(&mut admin, &csrf);
    // The probe: a request path is logged, so a marker in one must show up.
    assert_eq!(admin.get(&format!("/probe-{planted}")).status, 404);

    let cookie = format!("__Host-plauder={}", admin.cookies["__Host-plauder"]);
    let mut op = socket(
        addr,
        tls.clone(),
        "/console/ws",
        &[("Origin", "https://localhost"), ("Cookie", &cookie)],
    );
    op.recv_type("hello");
    let ua = format!("Mozilla/5.0 (X11; Linux x86_64) {agent}");
    let visitor = || {
        socket(
            addr,
            tls.clone(),
            &format!("/widget/ws?w={widget}"),
            &[("Origin", SITE), ("User-Agent", &ua)],
        )
    };
    let start = |v: &mut Ws| {
        v.send(json!({"v": 1, "type": "hello",
            "page": format!("https://shop.example/{page}"),
            "referrer": format!("https://search.example/{referrer}")}));
        v.recv_type("welcome");
        v.send(default_consent());
        v.recv_type("consented");
    };

    let mut v = visitor();
    start(&mut v);
    v.send(json!({"v": 1, "type": "message", "id": "m1", "text": format!("Frage {text}")}));
    v.recv_type("ack");
    let id = waiting(&mut op);
    op.send(json!({"type": "take", "conversation": id}));
    op.send(json!({"type": "open", "conversation": id}));
    let transcript = op.recv_type("transcript");
    assert_eq!(transcript["preview"], true, "the preview is on");
    v.send(json!({"v": 1, "type": "typing", "active": true, "text": format!("Entwurf {preview}")}));
    let shown: Value = op.recv_type("preview");
    assert!(shown["text"].as_str().unwrap().contains(&preview));
    op.send(json!({"type": "typing", "conversation": id, "active": true}));
    for (cid, body, is_note) in [("r1", &reply, false), ("n1", &note, true)] {
        op.send(json!({"type": "send", "conversation": id, "id": cid, "text": format!("Text {body}"), "note": is_note}));
        op.recv_type("ack");
    }
    assert!(
        v.recv_type("message")["text"]
            .as_str()
            .unwrap()
            .contains(&reply)
    );
    // Refused frames carrying personal text: the error path must not log them either.
    op.send_raw(&format!(
        "{{\"type\":\"send\",\"conversation\":\"{id}\",\"text\":\"{draft}"
    ));
    op.recv_type("error");
    v.send(json!({"v": 1, "type": "message", "id": "bad id!", "text": draft}));
    v.recv_type("error");
    v.send_raw(&format!(
        "{{\"v\":1,\"type\":\"message\",\"text\":\"{draft}"
    ));
    v.recv_type("error");
    op.send(json!({"type": "close", "conversation": id}));
    v.recv_type("closed");

    // An offline message with contact details.
    op.send(json!({"type": "availability", "status": "away"}));
    let mut off = visitor();
    start(&mut off);
    off.send(json!({"v": 1, "type": "offline", "id": "o1", "text": format!("Rückruf {offline}"), "name": name, "email": email}));
    off.recv_type("ack");
    drop((v, off, op));
    std::thread::sleep(Duration::from_millis(300));

    let log = serve.stop();
    assert!(
        log.contains(&planted),
        "the capture sees what is logged: {log:.2000}"
    );
    assert!(
        log.contains("/widget/ws") && log.contains("/console/ws"),
        "the chat's requests are in the captured log"
    );
    for secret in [
        &text,
        &preview,
        &reply,
        &note,
        &draft,
        &name,
        &email_local,
        &offline,
        &agent,
        &page,
        &referrer,
        &password,
    ] {
        if let Some(at) = log.find(secret.as_str()) {
            let from = log[..at].rfind('\n').map_or(0, |i| i + 1);
            let to = log[at..].find('\n').map_or(log.len(), |i| at + i);
            panic!("{secret} leaked into the log: {}", &log[from..to]);
        }
    }
    drop(pg);
});
