//! `restore` refuses while `plauder serve` runs on the data dir (it holds plauder.lock),
//! and restores in place once it has stopped: the database is replaced and a conversation
//! made after the backup is gone, erasures since are replayed from the journal file.

use super::{out, run};
use crate::cli::Serve;
use crate::support::Db;
use crate::support::pg::PgDatabase;

fn serve_lock(db: Db) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pg = (db == Db::Postgres).then(PgDatabase::create);
    let url = pg.as_ref().map(|p| p.url.clone());
    let env: Vec<(&str, &str)> = url
        .as_deref()
        .map(|u| vec![("PLAUDER_DATABASE_URL", u)])
        .unwrap_or_default();
    let init = run(&dir, url.as_deref(), &["init"]);
    assert!(init.status.success(), "{}", out(&init));
    assert!(
        out(&init).contains("keep a copy apart from backups"),
        "init tells where the key ring goes: {}",
        out(&init)
    );
    let server = Serve::start_with_env(&dir, &env);
    // A backup works while the server runs (online snapshot).
    let made = run(&dir, url.as_deref(), &["backup", "create"]);
    assert!(made.status.success(), "{}", out(&made));
    let file = super::files(&dir.join("backups")).pop().unwrap();
    let refused = run(
        &dir,
        url.as_deref(),
        &["backup", "restore", file.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", out(&refused));
    assert!(
        out(&refused).contains("a plauder server is running"),
        "{}",
        out(&refused)
    );
    // A second server on the same data dir is refused too.
    let second = crate::cli::base_command()
        .arg("--data-dir")
        .arg(&dir)
        .args(["--listen", "127.0.0.1:0", "serve"])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1), "{}", out(&second));
    assert!(out(&second).contains("another plauder server is running"));
    server.stop();

    let restored = run(
        &dir,
        url.as_deref(),
        &["backup", "restore", file.to_str().unwrap()],
    );
    assert!(restored.status.success(), "{}", out(&restored));
    let ok = run(
        &dir,
        url.as_deref(),
        &["backup", "verify", file.to_str().unwrap()],
    );
    assert!(ok.status.success(), "{}", out(&ok));
    // The restored data serves again.
    let again = Serve::start_with_env(&dir, &env);
    again.stop();
}

#[test]
fn restore_is_refused_while_serving_sqlite() {
    serve_lock(Db::Sqlite);
}

#[test]
fn restore_is_refused_while_serving_postgres() {
    serve_lock(Db::Postgres);
}
