//! A consistent copy of the live database, and what a copy holds.
//!
//! SQLite: `VACUUM INTO ?` on a pooled connection: one read transaction, so the image is a
//! consistent snapshot while chats go on writing (WAL readers do not block writers). It
//! refuses an existing non-empty target, so it writes into a fresh private temp directory.
//! PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot of its own).

use super::BackupError;
use super::format::Backend;
use super::pgtools;
use crate::db::{Db, DbConn};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

/// Writes a snapshot of the live database to `dest` (which must not exist).
pub fn take(db: &Db, url: &str, dest: &Path) -> Result<(), BackupError> {
    match db.backend() {
        crate::db::Backend::Sqlite => {
            let mut conn = db.conn()?;
            let DbConn::Sqlite(c) = &mut *conn else {
                return Err(BackupError::Io("not an SQLite connection".into()));
            };
            let target = dest
                .to_str()
                .ok_or_else(|| BackupError::Io("the backup path is not UTF-8".into()))?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(target)
                .execute(c)
                .map_err(|e| BackupError::Io(format!("SQLite snapshot failed: {e}")))?;
            set_private(dest)
        }
        crate::db::Backend::Postgres => {
            let mut cmd = pgtools::command("pg_dump", url)?;
            cmd.arg("--format=custom")
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg("--file")
                .arg(dest);
            pgtools::run(cmd, "pg_dump")?;
            set_private(dest)
        }
    }
}

fn set_private(path: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(BackupError::io("set the snapshot's mode"))
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Checks a snapshot file and counts its rows per table. SQLite: `PRAGMA integrity_check`
/// must say "ok". PostgreSQL: `pg_restore --list` must read the table of contents, and the
/// rows of each table are counted in the COPY data `pg_restore` prints (no database needed).
pub fn inspect(backend: Backend, path: &Path) -> Result<BTreeMap<String, i64>, BackupError> {
    match backend {
        Backend::Sqlite => inspect_sqlite(path),
        Backend::Postgres => inspect_pg(path),
    }
}

fn inspect_sqlite(path: &Path) -> Result<BTreeMap<String, i64>, BackupError> {
    let target = path
        .to_str()
        .ok_or_else(|| BackupError::Io("the snapshot path is not UTF-8".into()))?;
    let mut conn = SqliteConnection::establish(target)
        .map_err(|e| BackupError::Io(format!("cannot open the SQLite image: {e}")))?;
    let bad = |e: diesel::result::Error| BackupError::Integrity(format!("SQLite image: {e}"));
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(bad)?;
    let problems: Vec<String> = checks
        .into_iter()
        .map(|c| c.integrity_check)
        .filter(|m| m != "ok")
        .collect();
    if !problems.is_empty() {
        return Err(BackupError::Integrity(format!(
            "PRAGMA integrity_check: {}",
            problems.join("; ")
        )));
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(&mut conn)
    .map_err(bad)?;
    let mut counts = BTreeMap::new();
    for Name { name } in names {
        let quoted = name.replace('"', "\"\"");
        let c: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM \"{quoted}\""))
            .get_result(&mut conn)
            .map_err(bad)?;
        counts.insert(name, c.n);
    }
    Ok(counts)
}

fn inspect_pg(path: &Path) -> Result<BTreeMap<String, i64>, BackupError> {
    let mut list = std::process::Command::new(pgtools::find("pg_restore")?);
    list.arg("--list").arg(path);
    let toc = pgtools::run(list, "pg_restore --list")
        .map_err(|e| BackupError::Integrity(e.to_string()))?;
    let mut counts = BTreeMap::new();
    for line in String::from_utf8_lossy(&toc).lines() {
        // "123; 1259 16400 TABLE public messages postgres"
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| *w == "TABLE") {
            if words.get(i.wrapping_sub(1)) != Some(&"DATA") {
                if let Some(name) = words.get(i + 2) {
                    counts.insert((*name).to_string(), 0);
                }
            }
        }
    }
    let mut child = std::process::Command::new(pgtools::find("pg_restore")?)
        .arg("--data-only")
        .arg("--file=-")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| BackupError::Io(format!("cannot run pg_restore: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| BackupError::Io("pg_restore: no output".into()))?;
    let mut current: Option<String> = None;
    for line in std::io::BufReader::new(stdout).split(b'\n') {
        let line = line.map_err(BackupError::io("read pg_restore's output"))?;
        match &current {
            Some(table) => {
                if line == b"\\." {
                    current = None;
                } else if let Some(n) = counts.get_mut(table) {
                    *n += 1;
                }
            }
            None => {
                if let Some(rest) = line.strip_prefix(b"COPY ") {
                    let rest = String::from_utf8_lossy(rest);
                    let name = rest.split([' ', '(']).next().unwrap_or_default();
                    let name = name.rsplit('.').next().unwrap_or(name).trim_matches('"');
                    counts.entry(name.to_string()).or_insert(0);
                    current = Some(name.to_string());
                }
            }
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| BackupError::Io(format!("pg_restore: {e}")))?;
    if !out.status.success() || current.is_some() {
        return Err(BackupError::Integrity(format!(
            "pg_restore could not read the table data: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(counts)
}
