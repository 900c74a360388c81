//! An acknowledged message survives the process being killed: SIGKILL in the middle of a
//! stream of messages, restart, and every acked message is there with its place.

use crate::both_backends;
use crate::cli::Serve;
use crate::support::client::tls_config;
use crate::support::pg::PgDatabase;
use crate::support::ws::{Ws, hello, open_to};
use diesel::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

const SOCKETS: usize = 8;
// Below the 10 frames/s limit, hello and consent included.
const BURST: usize = 7;

fn widget_in(dir: &Path, db_url: &str) -> String {
    let db = plauder::db::Db::open(db_url).unwrap();
    db.migrate().unwrap();
    let form = plauder::widget::settings::WidgetForm {
        name: "Shop".into(),
        allowed_origins: crate::visitor::SITE.into(),
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        ..Default::default()
    };
    let _ = dir;
    plauder::db::widgets::insert(
        &mut db.conn().unwrap(),
        &form.validate().unwrap(),
        chrono::Utc::now().naive_utc(),
    )
    .unwrap()
    .public_id
}

fn sockets(serve: &Serve, dir: &Path, widget: &str) -> Vec<Ws> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let cert = CertificateDer::from_pem_file(dir.join("tls/cert.pem")).unwrap();
    let config = tls_config(
        &cert,
        rustls::crypto::ring::default_provider(),
        rustls::ALL_VERSIONS,
    );
    let addr = format!("127.0.0.1:{}", serve.port).parse().unwrap();
    (0..SOCKETS)
        .map(|_| {
            let mut ws = open_to(
                addr,
                config.clone(),
                &format!("/widget/ws?w={widget}"),
                Some(crate::visitor::SITE),
                None,
            )
            .unwrap();
            hello(&mut ws, None);
            ws
        })
        .collect()
}

/// Sends a burst on every socket; returns the acks that arrive (until the socket dies).
fn burst(sockets: &mut [Ws], round: usize, acked: &mut HashMap<String, i64>, read: bool) {
    for (s, ws) in sockets.iter_mut().enumerate() {
        for i in 0..BURST {
            let id = format!("s{s}-r{round}-m{i}");
            let _ = ws.0.send(tungstenite::Message::text(
                json!({"v": 1, "type": "message", "id": id, "text": format!("Nachricht {id}")})
                    .to_string(),
            ));
        }
    }
    if !read {
        return;
    }
    for ws in sockets.iter_mut() {
        let mut got = 0;
        while got < BURST {
            let Ok(tungstenite::Message::Text(t)) = ws.0.read() else {
                break;
            };
            let v: serde_json::Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "ack" {
                acked.insert(
                    v["id"].as_str().unwrap().to_string(),
                    v["seq"].as_i64().unwrap(),
                );
                got += 1;
            }
        }
    }
}

fn drain(sockets: &mut [Ws], acked: &mut HashMap<String, i64>) {
    for ws in sockets.iter_mut() {
        while let Ok(msg) = ws.0.read() {
            if let tungstenite::Message::Text(t) = msg {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "ack" {
                    acked.insert(
                        v["id"].as_str().unwrap().to_string(),
                        v["seq"].as_i64().unwrap(),
                    );
                }
            }
        }
    }
}

both_backends!(acked_messages_survive_sigkill, |db| {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pg = (db == crate::support::Db::Postgres).then(PgDatabase::create);
    let url = pg
        .as_ref()
        .map(|p| p.url.clone())
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("plauder.db").display()));
    let mut env = vec![("PLAUDER_DATABASE_URL", url.as_str())];
    env.push(("PLAUDER_LOG_LEVEL", "warn"));
    let init = crate::cli::base_command()
        .arg("--data-dir")
        .arg(&dir)
        .arg("init")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let widget = widget_in(&dir, &url);

    let serve = Serve::start_on(&dir, &env, free_port());
    let mut ws = sockets(&serve, &dir, &widget);
    let mut acked = HashMap::new();
    for round in 0..3 {
        burst(&mut ws, round, &mut acked, true);
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert_eq!(acked.len(), 3 * SOCKETS * BURST);
    // Mid-stream: a burst goes out, and the process dies while it is being written.
    burst(&mut ws, 3, &mut acked, false);
    std::process::Command::new("kill")
        .arg("-KILL")
        .arg(serve.child.id().to_string())
        .status()
        .unwrap();
    drain(&mut ws, &mut acked);
    let _ = serve.stop();

    let restarted = Serve::start_on(&dir, &env, free_port());
    let db = plauder::db::Db::open(&url).unwrap();
    use plauder::db::schema::messages;
    let stored: HashMap<String, i64> = messages::table
        .select((messages::client_id, messages::seq))
        .load::<(Option<String>, i64)>(&mut *db.conn().unwrap())
        .unwrap()
        .into_iter()
        .filter_map(|(id, seq)| id.map(|id| (id, seq)))
        .collect();
    for (id, seq) in &acked {
        assert_eq!(
            stored.get(id),
            Some(seq),
            "acked message {id} lost or moved after SIGKILL"
        );
    }
    assert!(stored.len() >= acked.len());
    eprintln!(
        "acked {} (of {} sent), stored {} after SIGKILL",
        acked.len(),
        4 * SOCKETS * BURST,
        stored.len()
    );
    let _ = restarted.stop();
});

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
