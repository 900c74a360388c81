//! Encrypted backups (issue 9), on both backends through the built binary: create → verify
//! → restore round trip, no plaintext in the file, tampering and truncation refused, erased
//! people stay erased after a restore (also into an empty data dir with only the backup,
//! the journal file and the key ring), restore refused while `serve` runs, the key ring
//! export, rotation, and the admin page.

mod admin;
mod erased;
mod expired;
mod keys;
mod pg_atomic;
mod rotation;
mod round_trip;
mod serve_lock;
mod tamper;

use crate::support::pg::PgDatabase;
use crate::support::{Db, TestServer};
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the binary on a data dir (and a database URL, for PostgreSQL).
pub fn run(dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = crate::cli::base_command();
    cmd.arg("--data-dir").arg(dir);
    if let Some(url) = url {
        cmd.env("PLAUDER_DATABASE_URL", url);
    }
    cmd.args(args).output().unwrap()
}

pub fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `backup create` on a running test server's data; returns the new file.
pub fn create(server: &TestServer) -> PathBuf {
    let before = files(&server.data_dir().join("backups"));
    let o = crate::cli::plauder(server, &["backup", "create"]);
    assert!(o.status.success(), "backup create: {}", out(&o));
    assert!(out(&o).contains("written and verified"), "{}", out(&o));
    let after = files(&server.data_dir().join("backups"));
    let new: Vec<PathBuf> = after.into_iter().filter(|f| !before.contains(f)).collect();
    assert_eq!(new.len(), 1, "one new backup file");
    new[0].clone()
}

/// The backup files in a directory, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "pbak"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// An empty place to restore into: a data dir and, for PostgreSQL, a fresh database.
pub struct Target {
    pub dir: tempfile::TempDir,
    pub pg: Option<PgDatabase>,
}

impl Target {
    pub fn new(db: Db) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            pg: (db == Db::Postgres).then(PgDatabase::create),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn url(&self) -> Option<&str> {
        self.pg.as_ref().map(|p| p.url.as_str())
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run(&self.data(), self.url(), args)
    }

    /// The restored database, opened as the server would.
    pub fn db(&self) -> plauder::db::Db {
        let url = match self.url() {
            Some(u) => u.to_string(),
            None => format!("sqlite://{}", self.data().join("plauder.db").display()),
        };
        plauder::db::Db::open(&url).unwrap()
    }

    /// Copies the key ring of `server` into the empty data dir (mode 0600 kept).
    pub fn with_ring_of(self, server: &TestServer) -> Self {
        std::fs::create_dir_all(self.data()).unwrap();
        copy_private(
            &server.config.key_ring_path(),
            &self.data().join("keyring.toml"),
        );
        self
    }
}

pub fn copy_private(from: &Path, to: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::copy(from, to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Row counts per table of any database (migration bookkeeping and backup records left out:
/// the backup's own record is written after its snapshot).
pub fn counts(db: &plauder::db::Db) -> std::collections::BTreeMap<String, i64> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.conn().unwrap();
    let query = match db.backend() {
        plauder::db::Backend::Sqlite => {
            "SELECT name AS value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        plauder::db::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS value FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
    };
    diesel::sql_query(query)
        .load::<Name>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|n| n.value)
        .filter(|t| !t.starts_with("__diesel") && t != "backup_runs")
        .map(|t| {
            let n = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{t}\""))
                .get_result::<Count>(&mut *conn)
                .unwrap()
                .n;
            (t, n)
        })
        .collect()
}

/// Waits until the journal file beside the database has `n` lines (the server copies
/// committed journal rows there after every erasure).
pub fn wait_journal_lines(data_dir: &Path, n: usize) -> String {
    let path = data_dir.join("erasure-journal.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.lines().count() >= n {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "journal file has {} line(s), expected {n}",
            text.lines().count()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
