//! Two `plauder serve` processes on one PostgreSQL (one key ring, as several nodes share
//! it) append to the audit log at once: one gapless chain, checked by the binary.

use crate::cli::{Serve, base_command};
use crate::support::client::{Client, tls_config};
use crate::support::pg::PgDatabase;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;

fn client(dir: &Path, port: u16) -> Client {
    let cert = CertificateDer::from_pem_file(dir.join("tls/cert.pem")).unwrap();
    Client::new(
        format!("127.0.0.1:{port}").parse().unwrap(),
        tls_config(
            &cert,
            rustls::crypto::ring::default_provider(),
            rustls::ALL_VERSIONS,
        ),
    )
}

/// A sign-in with a wrong password: one audit entry each (failed, or throttled).
fn failed_sign_in(c: &mut Client, n: usize) {
    let csrf = c.get("/login").csrf();
    let name = format!("niemand{n}");
    let r = c.post(
        "/login",
        &[
            ("username", &name),
            ("password", "falsch-falsch"),
            ("csrf", &csrf),
        ],
    );
    assert!(r.status == 401 || r.status == 429, "{}", r.status);
}

#[test]
fn two_server_processes_on_one_postgres_append_one_chain() {
    let pg = PgDatabase::create();
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let url = [("PLAUDER_DATABASE_URL", pg.url.as_str())];
    let a = Serve::start_with_env(&dir_a, &url);
    let ring = dir_a.join("keyring.toml").display().to_string();
    let b = Serve::start_with_env(
        &dir_b,
        &[
            ("PLAUDER_DATABASE_URL", pg.url.as_str()),
            ("PLAUDER_KEY_RING", ring.as_str()),
        ],
    );
    let per_thread = 15;
    std::thread::scope(|s| {
        for (dir, port) in [(&dir_a, a.port), (&dir_b, b.port)] {
            for t in 0..4 {
                s.spawn(move || {
                    let mut c = client(dir, port);
                    for i in 0..per_thread {
                        failed_sign_in(&mut c, t * 100 + i);
                    }
                });
            }
        }
    });
    let requests = 2 * 4 * per_thread;
    a.stop();
    b.stop();

    let verify = base_command()
        .arg("--data-dir")
        .arg(&dir_a)
        .args(["audit", "verify"])
        .env("PLAUDER_DATABASE_URL", &pg.url)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(
        out.contains(&format!("intact: {requests} entries (seq 1..{requests})")),
        "one gapless chain of every sign-in: {out}"
    );
}
