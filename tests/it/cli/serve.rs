//! `plauder serve` run as a real child process, as systemd and the packages start it.

use super::{base_command, free_port};
use std::io::BufRead;
use std::io::BufReader;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `plauder serve` as a child process, with its stdout collected in the background.
pub struct Serve {
    pub child: Child,
    pub(super) out: std::sync::mpsc::Receiver<String>,
    pub port: u16,
}

impl Serve {
    pub(super) fn start(dir: &Path) -> Self {
        Self::start_with_env(dir, &[])
    }

    pub fn start_with_env(dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_on(dir, env, free_port())
    }

    pub fn start_on(dir: &Path, env: &[(&str, &str)], port: u16) -> Self {
        Self::start_command(base_command(), dir, env, port)
    }

    pub fn start_command(mut cmd: Command, dir: &Path, env: &[(&str, &str)], port: u16) -> Self {
        let mut child = cmd
            .arg("--data-dir")
            .arg(dir)
            .args(["--listen", &format!("127.0.0.1:{port}"), "serve"])
            .env("PLAUDER_LOG_LEVEL", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, out) = std::sync::mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let serve = Self { child, out, port };
        serve.wait_ready(dir);
        serve
    }

    fn wait_ready(&self, dir: &Path) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(r) = self.get(dir, "/readyz") {
                assert_eq!(r.status, 200);
                return;
            }
            // Short: the static binary's test measures the cold start with this loop.
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("plauder serve did not become ready");
    }

    pub(super) fn get(&self, dir: &Path, path: &str) -> Option<crate::support::client::Response> {
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        let cert = CertificateDer::from_pem_file(dir.join("tls/cert.pem")).ok()?;
        let config = crate::support::client::tls_config(
            &cert,
            rustls::crypto::ring::default_provider(),
            rustls::ALL_VERSIONS,
        );
        let addr = format!("127.0.0.1:{}", self.port).parse().unwrap();
        let mut tls = crate::support::client::connect(addr, config).ok()?;
        Some(crate::support::client::exchange(
            &mut tls,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
            b"",
        ))
    }

    pub fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.out.try_iter().collect::<Vec<_>>().join("\n")
    }
}
