//! The appliance binary from `scripts/build-static.sh`: statically linked, and its libpq
//! survives a pool that opens several TLS connections to PostgreSQL at once. That is the
//! trap of a vendored OpenSSL without threads (STACK-NOTES.md): 19 of 20 starts crashed.
//!
//! `scripts/test.sh` builds the binary and sets `PLAUDER_STATIC_BIN`; then a missing binary
//! fails the test. Without the variable (a developer's quick run) the test says it skipped.

use super::{Serve, command_for, free_port};
use crate::support::pg::PgDatabase;
use diesel::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ENV: &str = "PLAUDER_STATIC_BIN";
/// Starts of the binary; each opens its pool (8 connections, 3 opener threads) over TLS.
const RUNS: usize = 20;
/// Concurrent `/readyz` requests per run, more than the pool holds.
const CONCURRENT: usize = 24;

fn static_bin() -> Option<PathBuf> {
    let Ok(path) = std::env::var(ENV) else {
        eprintln!("{ENV} not set: skipped (scripts/test.sh builds the static binary and sets it)");
        return None;
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{ENV}={} does not exist: run scripts/build-static.sh",
        path.display()
    );
    Some(path)
}

#[test]
fn static_binary_is_statically_linked() {
    let Some(bin) = static_bin() else { return };
    let file = Command::new("file").arg("-b").arg(&bin).output().unwrap();
    let file = String::from_utf8_lossy(&file.stdout).into_owned();
    assert!(
        file.contains("statically linked") || file.contains("static-pie linked"),
        "{file}"
    );
    assert!(
        file.contains("stripped") && !file.contains("not stripped"),
        "{file}"
    );
    let ldd = Command::new("ldd").arg(&bin).output().unwrap();
    let said =
        String::from_utf8_lossy(&ldd.stdout).into_owned() + &String::from_utf8_lossy(&ldd.stderr);
    // static-pie (ASLR kept): glibc's ldd says "statically linked"; a non-PIE static binary
    // would say "not a dynamic executable". Neither lists a shared library.
    assert!(
        (said.contains("statically linked") || said.contains("not a dynamic executable"))
            && !said.contains("=>")
            && !said.contains(".so"),
        "{said}"
    );
    // The probe itself works: the test build is dynamic, and ldd lists its libraries.
    let dynamic = Command::new("ldd").arg(super::BIN).output().unwrap();
    assert!(
        dynamic.status.success() && String::from_utf8_lossy(&dynamic.stdout).contains("libc"),
        "ldd recognises a dynamic binary"
    );
}

#[test]
fn static_binary_survives_concurrent_tls_connections_to_postgres() {
    let Some(bin) = static_bin() else { return };
    let pg = PgDatabase::create();
    let url = format!("{}?sslmode=require", pg.url);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut starts = Vec::new();
    for run in 0..RUNS {
        let started = Instant::now();
        let serve = start(&bin, &dir, &url);
        starts.push(started.elapsed());
        if run == 0 {
            assert_connections_use_tls(&pg);
        }
        let statuses = concurrent_readyz(&serve, &dir);
        assert!(
            statuses.iter().all(|s| *s == 200),
            "run {run}: every concurrent /readyz answered 200: {statuses:?}"
        );
        if run % 5 == 4 {
            // Cut every pooled connection: the next requests reconnect from several threads.
            terminate_backends(&pg);
            let _ = concurrent_readyz(&serve, &dir);
            let after = serve.get(&dir, "/readyz").map(|r| r.status);
            assert_eq!(
                after,
                Some(200),
                "run {run}: ready again after reconnecting"
            );
        }
        let pid = serve.child.id();
        let log = stop_checked(serve, run, pid);
        assert!(!log.contains("malloc"), "run {run}: {log}");
    }
    let first = starts[0];
    let mut warm: Vec<Duration> = starts[1..].to_vec();
    warm.sort();
    eprintln!(
        "static binary {} bytes; cold start to /readyz 200: first (migrations, key ring, cert) {} ms, median of later starts {} ms",
        std::fs::metadata(&bin).unwrap().len(),
        first.as_millis(),
        warm[warm.len() / 2].as_millis()
    );
}

fn start(bin: &Path, dir: &Path, url: &str) -> Serve {
    let mut cmd = command_for(bin);
    cmd.env("PLAUDER_DATABASE_URL", url);
    Serve::start_command(cmd, dir, &[], free_port())
}

fn concurrent_readyz(serve: &Serve, dir: &Path) -> Vec<u16> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let cert = CertificateDer::from_pem_file(dir.join("tls/cert.pem")).unwrap();
    let config = crate::support::client::tls_config(
        &cert,
        rustls::crypto::ring::default_provider(),
        rustls::ALL_VERSIONS,
    );
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", serve.port).parse().unwrap();
    let request = "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CONCURRENT)
            .map(|_| {
                let config = config.clone();
                scope.spawn(move || {
                    crate::support::client::connect(addr, config).map_or(0, |mut tls| {
                        crate::support::client::exchange(&mut tls, request, b"").status
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// SIGTERM must end the process cleanly: a crash shows as a signal or a failure code.
fn stop_checked(mut serve: Serve, run: usize, pid: u32) -> String {
    if let Ok(Some(status)) = serve.child.try_wait() {
        panic!("run {run}: pid {pid} died while serving: {status:?}");
    }
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let status = serve.child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let log = serve.out.try_iter().collect::<Vec<_>>().join("\n");
    assert!(status.success(), "run {run}: exit {status:?}\n{log}");
    log
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn admin() -> PgConnection {
    PgConnection::establish(&crate::support::pg::admin_url()).unwrap()
}

/// The probe of the whole test: without TLS the trap never fires.
fn assert_connections_use_tls(pg: &PgDatabase) {
    let counts = |ssl: bool| {
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.datname = $1 AND s.ssl = $2",
        )
        .bind::<diesel::sql_types::Text, _>(&pg.name)
        .bind::<diesel::sql_types::Bool, _>(ssl)
        .get_result::<Count>(&mut admin())
        .unwrap()
        .n
    };
    let (tls, plain) = (counts(true), counts(false));
    assert!(
        tls >= 2 && plain == 0,
        "the binary's pool holds TLS connections ({tls} TLS, {plain} plain); \
         the test cluster needs ssl=on (scripts/test.sh)"
    );
}

fn terminate_backends(pg: &PgDatabase) {
    diesel::sql_query(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<diesel::sql_types::Text, _>(&pg.name)
    .get_result::<Count>(&mut admin())
    .unwrap();
}
