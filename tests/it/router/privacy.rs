//! Nothing a browser sends to be routed (page address, user agent, language, the query of
//! the request itself) reaches the database or the log. Runs the real binary at debug log
//! level, so its output is what an operator would see. Each probe first finds a marker
//! planted the honest way: a rule text the admin saved (database) and a request path (log).

use super::{Ask, SHOP, add_rule, upload, widget};
use crate::cli::Serve;
use crate::support::Db;
use crate::support::client::{self, Client};
use crate::support::pg::PgDatabase;
use diesel::prelude::*;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Which of `needles` occur in any of `files` (regex's literal search: WAL can be large).
fn found_in(files: &[PathBuf], needles: &[String]) -> Vec<String> {
    needles
        .iter()
        .filter(|n| {
            let re = regex::bytes::Regex::new(&regex::escape(n)).unwrap();
            files
                .iter()
                .any(|f| std::fs::read(f).is_ok_and(|bytes| re.is_match(&bytes)))
        })
        .cloned()
        .collect()
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows of every table of the database (as text; bytea shows as hex) holding a needle.
fn pg_rows_with(conn: &mut PgConnection, needle: &str) -> i64 {
    let tables: Vec<Text> = diesel::sql_query(
        "SELECT table_name::text AS value FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .load(conn)
    .unwrap();
    assert!(tables.iter().any(|t| t.value == "route_rules"));
    let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
    tables
        .iter()
        .map(|t| {
            diesel::sql_query(format!(
                "SELECT count(*) AS n FROM \"{}\" r WHERE strpos(r::text, $1) > 0 OR strpos(r::text, $2) > 0",
                t.value
            ))
            .bind::<diesel::sql_types::Text, _>(needle)
            .bind::<diesel::sql_types::Text, _>(&hex)
            .get_result::<Count>(conn)
            .unwrap()
            .n
        })
        .sum()
}

/// The table files of the test's database and the cluster's WAL, after a checkpoint.
fn pg_files(conn: &mut PgConnection) -> Vec<PathBuf> {
    diesel::sql_query("CHECKPOINT").execute(conn).unwrap();
    let one =
        |q: &str, c: &mut PgConnection| diesel::sql_query(q).get_result::<Text>(c).unwrap().value;
    let data = PathBuf::from(one(
        "SELECT current_setting('data_directory') AS value",
        conn,
    ));
    let oid = one(
        "SELECT oid::text AS value FROM pg_database WHERE datname = current_database()",
        conn,
    );
    let mut files = files_under(&data.join("base").join(oid));
    files.extend(files_under(&data.join("pg_wal")));
    files
}

crate::both_backends!(routing_inputs_reach_neither_database_nor_log, |db| {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pg = (db == Db::Postgres).then(PgDatabase::create);
    let mut env: Vec<(&str, &str)> = vec![("PLAUDER_LOG_LEVEL", "debug")];
    if let Some(pg) = &pg {
        env.push(("PLAUDER_DATABASE_URL", &pg.url));
    }
    let first = Serve::start_with_env(&dir, &env);
    let output = first.stop();
    let password = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("first start prints the admin password")
        .to_string();
    let serve = Serve::start_with_env(&dir, &env);
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", serve.port).parse().unwrap();
    let cert = CertificateDer::from_pem_file(dir.join("tls/cert.pem")).unwrap();
    let tls = client::tls_config(
        &cert,
        rustls::crypto::ring::default_provider(),
        rustls::ALL_VERSIONS,
    );
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

    let tag = format!(
        "{:012x}",
        u64::from_be_bytes(plauder::crypto::random_bytes::<8>().unwrap()) >> 16
    );
    let planted_db = format!("plantedrule{tag}");
    let planted_log = format!("plantedpath{tag}");
    let default = widget(&mut admin, "Shop", SHOP, "#0b5cad");
    let german = widget(&mut admin, "Shop DE", SHOP, "#aa2200");
    // Every condition kind is evaluated: none of these match, the last one does.
    for rule in [
        vec![("ua_contains", planted_db.as_str())],
        vec![("url_kind", "regex"), ("url_pattern", "/nowhere/")],
        vec![("device", "tablet")],
        vec![("country", "CH")],
        vec![("lang", "de")],
    ] {
        let mut fields = rule;
        fields.push(("target", &german));
        assert_eq!(add_rule(&mut admin, &fields).status, 303);
    }
    let csrf = admin.get("/admin/router").csrf();
    let r = upload(
        addr,
        tls.clone(),
        &admin,
        &csrf,
        &crate::router::mmdb::test_countries(),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(admin.get(&format!("/{planted_log}")).status, 404);

    let secrets: Vec<String> = [
        "mkurl", "mkquery", "mkfrag", "mkua", "mklang", "mkheader", "mkqs", "mkbad", "mkwidget",
    ]
    .iter()
    .map(|m| format!("{m}{tag}"))
    .collect();
    let s = |i: usize| secrets[i].as_str();
    let url = format!(
        "https://shop.example.de/{}/kontakt?q={}#{}",
        s(0),
        s(1),
        s(2)
    );
    let ua = format!("Mozilla/5.0 (X11; Linux x86_64) {} Firefox/125.0", s(3));
    let lang = format!("de-x-{}", s(4));
    let mut ask = Ask::new(&default).header("User-Agent", &ua);
    ask.url = &url;
    ask.lang = Some(&lang);
    let r = ask.send_to(addr, tls.clone(), &format!("/w/route?{}=1", s(6)));
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains(&german),
        "the inputs were used to route: {}",
        r.body
    );
    let by_header = Ask::new(&default).header("Accept-Language", &format!("de-x-{}", s(5)));
    assert!(
        by_header
            .send_to(addr, tls.clone(), "/w/route")
            .body
            .contains(&german)
    );
    let unknown = Ask::new(s(8));
    assert_eq!(unknown.send_to(addr, tls.clone(), "/w/route").status, 404);
    let mut raw = client::connect(addr, tls.clone()).unwrap();
    let bad = format!("{{\"widget\": {}", s(7));
    let r = client::exchange(
        &mut raw,
        &format!(
            "POST /w/route HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            bad.len()
        ),
        bad.as_bytes(),
    );
    assert_eq!(r.status, 400);
    let log = serve.stop();

    // The log: the probe sees request paths, the inputs are not there.
    assert!(
        log.contains(&planted_log),
        "probe finds the planted path: {log}"
    );
    assert!(
        log.contains("/w/route"),
        "route requests are logged by path: {log}"
    );
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "{secret} leaked into the log:\n{log}"
        );
    }
    let needles = secrets.clone();
    let planted = [planted_db.clone()];
    match &pg {
        None => {
            let all = files_under(&dir);
            let db_files: Vec<PathBuf> = all
                .iter()
                .filter(|f| {
                    f.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("plauder.db"))
                })
                .cloned()
                .collect();
            assert!(!db_files.is_empty());
            assert_eq!(
                found_in(&db_files, &planted),
                planted,
                "probe finds the planted rule"
            );
            assert_eq!(
                found_in(&all, &needles),
                Vec::<String>::new(),
                "nothing in the data dir"
            );
        }
        Some(pg) => {
            let mut conn = PgConnection::establish(&pg.url).unwrap();
            assert!(
                pg_rows_with(&mut conn, &planted_db) > 0,
                "SQL probe finds the planted rule"
            );
            for needle in &needles {
                assert_eq!(pg_rows_with(&mut conn, needle), 0, "{needle} in a table");
            }
            let files = pg_files(&mut conn);
            assert_eq!(
                found_in(&files, &planted),
                planted,
                "file probe finds the planted rule"
            );
            assert_eq!(
                found_in(&files, &needles),
                Vec::<String>::new(),
                "nothing in table files or WAL"
            );
            assert_eq!(
                found_in(&files_under(&dir), &needles),
                Vec::<String>::new(),
                "nor in the data dir"
            );
        }
    }
});
