//! The binary as scripts, packages and systemd use it: first start, staff commands,
//! SIGHUP certificate reload, readiness notification; config errors and `migrate` in the
//! submodules.

mod check;
mod config;
mod migrate;
mod service;
mod static_binary;

use crate::support::{Db, TestServer};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_plauder");

pub fn base_command() -> Command {
    command_for(Path::new(BIN))
}

/// `bin` with a clean environment: the packaged or static binary as well as the test build.
pub fn command_for(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    // The developer's own environment must not leak into these runs.
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PLAUDER_")) {
        cmd.env_remove(key);
    }
    cmd.env("PLAUDER_LOG_LEVEL", "warn");
    cmd
}

/// Runs the binary against a test server's data dir and database.
pub fn plauder(server: &TestServer, args: &[&str]) -> Output {
    let mut cmd = base_command();
    cmd.env("PLAUDER_DATA_DIR", server.data_dir());
    if !server.config.general.database_url.is_empty() {
        cmd.env(
            "PLAUDER_DATABASE_URL",
            server.config.general.database_url.expose(),
        );
    }
    cmd.args(args).output().unwrap()
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = base_command();
    cmd.arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Root (CI) may write anywhere; tests of refusals by file mode need another way there.
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `plauder serve` as a child process, with its stdout collected in the background.
pub struct Serve {
    pub child: Child,
    out: std::sync::mpsc::Receiver<String>,
    pub port: u16,
}

impl Serve {
    fn start(dir: &Path) -> Self {
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

    fn get(&self, dir: &Path, path: &str) -> Option<crate::support::client::Response> {
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

#[test]
fn first_start_sets_up_and_prints_the_password_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let first = Serve::start(&dir);
    let output = first.stop();
    let password = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("first start prints the admin password")
        .to_string();
    assert_eq!(
        output.matches(&password).count(),
        1,
        "printed once, never logged: {output}"
    );
    use std::os::unix::fs::PermissionsExt;
    let ring = dir.join("keyring.toml");
    assert_eq!(
        std::fs::metadata(&ring).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(dir.join("plauder.db").exists() && dir.join("tls/cert.pem").exists());
    let ring_before = std::fs::read(&ring).unwrap();
    let cert_before = std::fs::read(dir.join("tls/cert.pem")).unwrap();

    let second = Serve::start_with_env(&dir, &[("PLAUDER_LOG_FORMAT", "json")]);
    let mut c = crate::support::client::Client::new(
        format!("127.0.0.1:{}", second.port).parse().unwrap(),
        crate::support::client::tls_config(
            &rustls::pki_types::pem::PemObject::from_pem_slice(&cert_before).unwrap(),
            rustls::crypto::ring::default_provider(),
            rustls::ALL_VERSIONS,
        ),
    );
    let csrf = c.get("/login").csrf();
    let r = c.post(
        "/login",
        &[
            ("username", "admin"),
            ("password", &password),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 303, "the printed password signs in");
    // Personal data in a query string or a form must not reach the request log.
    c.cookies.clear();
    c.get("/login?email=leak-8812@example.de");
    let csrf = c.get("/login").csrf();
    c.post(
        "/login",
        &[
            ("username", "logleak-user"),
            ("password", "wrong-password-x"),
            ("csrf", &csrf),
        ],
    );
    let output = second.stop();
    assert!(
        !output.contains("password:"),
        "second start prints no password: {output}"
    );
    let requests: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("\"request\""))
        .collect();
    assert!(requests.len() >= 4, "JSON request log lines: {output}");
    for line in &requests {
        assert!(
            line.starts_with('{') && line.contains("\"status\":"),
            "{line}"
        );
        assert!(!line.contains("127.0.0.1"), "no client address: {line}");
    }
    assert!(
        output.contains("\"path\":\"/login\""),
        "the probe sees request paths: {output}"
    );
    for secret in [
        "leak-8812",
        "logleak-user",
        "wrong-password-x",
        password.as_str(),
    ] {
        assert!(
            !output.contains(secret),
            "{secret} leaked into the log: {output}"
        );
    }
    assert_eq!(
        std::fs::read(&ring).unwrap(),
        ring_before,
        "key ring reused"
    );
    assert_eq!(
        std::fs::read(dir.join("tls/cert.pem")).unwrap(),
        cert_before,
        "certificate reused"
    );
}

#[test]
fn init_writes_the_password_to_a_root_only_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let file = tmp.path().join("admin-password");
    let o = run(
        &dir,
        &["init", "--admin-password-file", file.to_str().unwrap()],
        None,
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let secret = std::fs::read_to_string(&file).unwrap();
    let password = secret
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap();
    assert!(!out.contains(password) && !err.contains(password));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = run(&dir, &["init"], None);
    assert!(!text(&again).0.contains("password"));
}

#[test]
fn staff_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    assert!(run(&dir, &["init"], None).status.success());
    let weak = run(
        &dir,
        &[
            "user",
            "add",
            "olga",
            "--role",
            "operator",
            "--password-stdin",
        ],
        Some("123qweasdzxc\n"),
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(
        text(&weak).1.contains("at least 12") || text(&weak).1.contains("common"),
        "{:?}",
        text(&weak)
    );
    let ok = run(
        &dir,
        &[
            "user",
            "add",
            "olga",
            "--role",
            "operator",
            "--email",
            "olga@example.de",
            "--password-stdin",
        ],
        Some("Kaffee-Tasse-Mond-7\n"),
    );
    assert!(ok.status.success(), "{:?}", text(&ok));
    let generated = run(&dir, &["user", "add", "piet", "--role", "admin"], None);
    assert!(
        text(&generated).0.contains("password: "),
        "{:?}",
        text(&generated)
    );
    let dup = run(&dir, &["user", "add", "Piet", "--role", "admin"], None);
    assert!(!dup.status.success());
    let list = text(&run(&dir, &["user", "list"], None)).0;
    assert!(
        list.contains("olga")
            && list.contains("operator")
            && list.contains("piet")
            && list.contains("admin"),
        "{list}"
    );
    assert!(!list.contains("olga@example.de"));
    let pw = run(&dir, &["user", "passwd", "olga"], None);
    assert!(text(&pw).0.contains("password: "));
    assert!(
        run(&dir, &["user", "disable", "olga"], None)
            .status
            .success()
    );
    assert!(
        text(&run(&dir, &["user", "list"], None))
            .0
            .contains("disabled")
    );
    let missing = run(&dir, &["user", "disable", "nobody"], None);
    assert_eq!(missing.status.code(), Some(1));
    let rotate = run(&dir, &["keys", "rotate"], None);
    assert!(rotate.status.success(), "{:?}", text(&rotate));
    assert!(
        text(&run(&dir, &["keys", "show"], None))
            .0
            .contains("2 key(s), active key 2")
    );
}

#[test]
fn key_ring_readable_by_others_refuses_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    assert!(run(&dir, &["init"], None).status.success());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("keyring.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let o = run(&dir, &["--listen", "127.0.0.1:0", "serve"], None);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("chmod 600"), "{:?}", text(&o));
}

#[test]
fn both_backends_are_reachable_for_cli_runs() {
    // The CLI works against a PostgreSQL-backed server's database too.
    let server = TestServer::start(Db::Postgres);
    let o = plauder(&server, &["user", "list"]);
    assert!(text(&o).0.contains("admin"), "{:?}", text(&o));
}
