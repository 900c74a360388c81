//! Putting a backup back, so that nobody erased comes back:
//!
//! 1. refuse while a server holds `<data_dir>/plauder.lock` (PostgreSQL: also while other
//!    sessions are connected to the database);
//! 2. decrypt and check the archive (as `verify` does);
//! 3. SQLite: migrate the image in a private work directory beside the database, replay
//!    the journal and purge there, then checkpoint the old database, remove its `-wal`/`-shm`
//!    and rename the image over it (atomic: a crash leaves the old or the new database).
//!    PostgreSQL: set the live schema aside, `pg_restore` into a fresh one, migrate,
//!    replay, purge, then drop the old schema; a failure anywhere puts the old one back
//!    (`restore_pg`);
//! 4. the erasure journal replayed is the union of the journal file beside the database,
//!    the file inside the archive and the restored `erasure_journal` table: every
//!    conversation or contact erased after the backup was taken is erased again, and the
//!    table and the file both get every row back;
//! 5. everything already past its retention is purged ([`purge_expired`]), before the lock
//!    is released and a server can serve again.

use super::archive;
use super::format::Backend;
use super::{BackupError, journal_file, lock, snapshot};
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::erasure::{self, JournalRow};
use crate::db::{Db, DbConn};
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::path::Path;

/// What a restore did.
#[derive(Debug, Clone, Default)]
pub struct Restored {
    pub tables: BTreeMap<String, i64>,
    pub journal_rows: usize,
    pub conversations_erased: usize,
    pub contacts_erased: usize,
    /// What the purge of everything already expired removed (`Counts::summary`).
    pub purged: String,
}

pub fn restore(
    config: &Config,
    ring: &KeyRing,
    file: &Path,
    now: NaiveDateTime,
) -> Result<Restored, BackupError> {
    let data_dir = config.data_dir();
    super::ensure_private_dir(&data_dir)?;
    let Some(_lock) = lock::try_lock(&data_dir)? else {
        return Err(BackupError::Refused(format!(
            "a plauder server is running on {} (it holds {}); stop it before restoring",
            data_dir.display(),
            lock::FILE_NAME
        )));
    };
    let url = config.database_url();
    let backend = Backend::of(crate::db::Backend::from_url(url.expose())?);
    let work = super::work_dir(&data_dir)?;
    let image = work.path().join("database");
    let opened = archive::read(file, ring, &image)?;
    if opened.header.backend != backend {
        return Err(BackupError::Refused(format!(
            "the backup holds a {} database, but the configured database is {}",
            opened.header.backend.name(),
            backend.name()
        )));
    }
    let tables = snapshot::inspect(backend, &image)?;
    let journal_path = journal_file::path_in(&data_dir);
    let mut rows = journal_file::read(&journal_path)?;
    rows.extend(journal_file::parse(&opened.journal));
    let mut result = match backend {
        Backend::Sqlite => {
            let target = url
                .expose()
                .strip_prefix("sqlite://")
                .map(std::path::PathBuf::from)
                .ok_or_else(|| BackupError::Io("bad SQLite URL".into()))?;
            let image_url = format!("sqlite://{}", image.display());
            let replayed = {
                let db = Db::open(&image_url)?;
                let done = prepare(&db, ring, &mut rows, now)?;
                checkpoint(&mut *db.conn()?)?;
                done
            };
            swap_in(&image, &target)?;
            replayed
        }
        Backend::Postgres => super::restore_pg::restore(url.expose(), &image, |db| {
            prepare(db, ring, &mut rows, now)
        })?,
    };
    // The file beside the database gets every row the union knows.
    let known: std::collections::HashSet<i64> = journal_file::read(&journal_path)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut missing: Vec<JournalRow> = rows
        .into_iter()
        .filter(|r| !known.contains(&r.id))
        .collect();
    missing.sort_by_key(|r| (r.erased_at, r.id));
    missing.dedup_by_key(|r| r.id);
    journal_file::append(&journal_path, &missing)?;
    result.tables = tables;
    Ok(result)
}

/// Migrates, merges the journal, replays it and purges, on the restored database. `rows`
/// comes back as the union of the journal file, the archive's copy and the table.
fn prepare(
    db: &Db,
    ring: &KeyRing,
    rows: &mut Vec<JournalRow>,
    now: NaiveDateTime,
) -> Result<Restored, BackupError> {
    db.migrate()?;
    let mut conn = db.conn()?;
    rows.extend(erasure::journal(&mut conn, i64::MAX)?);
    rows.sort_by_key(|r| (r.erased_at, r.id));
    rows.dedup_by_key(|r| r.id);
    let mut out = Restored {
        journal_rows: rows.len(),
        ..Restored::default()
    };
    crate::db::write_transaction(&mut conn, |conn| -> Result<(), BackupError> {
        for row in rows.iter() {
            erasure::restore_journal_row(conn, row)?;
            let (conversations, contacts) = erasure::replay(conn, row)?;
            out.conversations_erased += conversations;
            out.contacts_erased += contacts;
        }
        Ok(())
    })?;
    out.purged = purge_expired(db, ring, now)?;
    Ok(out)
}

/// The retention purge of everything already expired (conversation expiry and technical
/// details, `jobs::purge_expired`, the scheduled jobs' own code), run on the restored
/// database before any server serves it. Returns what it did, for the output.
pub fn purge_expired(db: &Db, ring: &KeyRing, now: NaiveDateTime) -> Result<String, BackupError> {
    let counts = crate::jobs::purge_expired(db, ring, now).map_err(|e| match e {
        crate::jobs::JobError::Db(e) => BackupError::Db(e),
        other => BackupError::Io(format!("purging what has expired: {other}")),
    })?;
    Ok(counts.summary())
}

/// SQLite: moves the WAL into the main file so the WAL can be removed safely.
fn checkpoint(conn: &mut DbConn) -> Result<(), BackupError> {
    if !erasure::staff::checkpoint(conn)? {
        return Err(BackupError::Io(
            "the database's WAL stayed busy; try again".into(),
        ));
    }
    Ok(())
}

/// SQLite: the old database's WAL is merged and removed before the image is renamed over
/// it, so an old `-wal` can never be applied to the new file.
fn swap_in(image: &Path, target: &Path) -> Result<(), BackupError> {
    if target.exists() {
        let old = Db::open(&format!("sqlite://{}", target.display()))?;
        checkpoint(&mut *old.conn()?)?;
    }
    for suffix in ["-wal", "-shm"] {
        for base in [target, image] {
            let side = std::path::PathBuf::from(format!("{}{suffix}", base.display()));
            match std::fs::remove_file(&side) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(BackupError::Io(format!(
                        "cannot remove {}: {e}",
                        side.display()
                    )));
                }
            }
        }
    }
    std::fs::rename(image, target).map_err(BackupError::io("move the restored database in"))?;
    super::sync_dir(target)
}
