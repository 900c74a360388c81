//! The binary as scripts, packages and systemd use it: first start (`setup`), staff commands,
//! SIGHUP certificate reload, readiness notification; config errors and `migrate` in the
//! submodules.

mod check;
mod config;
mod migrate;
mod serve;
mod service;
mod setup;
mod static_binary;

pub use serve::Serve;

use crate::support::{Db, TestServer};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

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
fn both_backends_are_reachable_for_cli_runs() {
    // The CLI works against a PostgreSQL-backed server's database too.
    let server = TestServer::start(Db::Postgres);
    let o = plauder(&server, &["user", "list"]);
    assert!(text(&o).0.contains("admin"), "{:?}", text(&o));
}
