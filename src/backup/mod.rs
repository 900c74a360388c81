//! Encrypted backups that keep erased people erased (issue 9).
//!
//! - `snapshot.rs`: a consistent copy of the live database (SQLite `VACUUM INTO`, PostgreSQL
//!   `pg_dump --format=custom`) and its integrity check with row counts;
//! - `format.rs`: the encrypted stream (AES-256-GCM, 64 KiB chunks; byte format there);
//! - `archive.rs`: what an archive holds (manifest, database, erasure-journal file), zlib
//!   compressed (flate2 on miniz_oxide) inside the encryption;
//! - `create.rs` / `verify` here: make, check and list backups; `rotate.rs`: keep N daily
//!   and M weekly; `records.rs`: create and verify results for the admin page;
//! - `restore.rs`: put a backup back (refused while `serve` holds `lock.rs`'s lock), replay
//!   the erasure journal, purge what has expired;
//! - `journal_file.rs`: the erasure journal as a file beside the database.
//!
//! The daily job (`crate::jobs`) calls [`run_scheduled`]. Backups hold everything the
//! database holds (personal fields still encrypted with the key ring): they are never
//! offered for download in the admin UI, and the key ring export is kept apart from them.

pub mod archive;
pub mod create;
pub mod format;
pub mod journal_file;
pub mod keyfile;
pub mod lock;
pub mod pgtools;
pub mod records;
pub mod restore;
mod restore_pg;
pub mod rotate;
pub mod snapshot;
pub mod status;

pub use create::{Created, Listed, Verified, create, create_recorded, list, verify};

use crate::state::AppState;
use std::path::Path;

/// What a finished backup reports.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub path: std::path::PathBuf,
    pub bytes: u64,
    /// Backups removed by rotation afterwards.
    pub rotated: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Format(#[from] format::FormatError),
    #[error("integrity check failed: {0}")]
    Integrity(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("refused: {0}")]
    Refused(String),
}

impl From<diesel::result::Error> for BackupError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

impl BackupError {
    /// Maps an I/O error with what was being done.
    pub fn io(what: &'static str) -> impl Fn(std::io::Error) -> BackupError {
        move |e| BackupError::Io(format!("cannot {what}: {e}"))
    }
}

/// The daily job: creates a backup in the configured directory, then rotates. Blocking.
pub fn run_scheduled(state: &AppState) -> Result<BackupSummary, BackupError> {
    let (created, verified) = create::create_recorded(
        &state.config,
        &state.db,
        &state.ring,
        state.clock.now(),
        records::Trigger::Job,
    )?;
    verified?;
    let rotated = rotate::rotate(&state.config.backup_dir(), &state.config.backup)?;
    Ok(BackupSummary {
        path: created.path,
        bytes: created.bytes,
        rotated: rotated.len(),
    })
}

/// fsync of the directory holding `path`, so a create or rename survives a power cut.
pub(crate) fn sync_dir(path: &Path) -> Result<(), BackupError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::Io(format!("cannot sync {}: {e}", dir.display())))
}

/// A private working directory (0700) inside `parent`, removed when dropped.
pub(crate) fn work_dir(parent: &Path) -> Result<tempfile::TempDir, BackupError> {
    ensure_private_dir(parent)?;
    tempfile::Builder::new()
        .prefix(".work-")
        .tempdir_in(parent)
        .map_err(|e| {
            BackupError::Io(format!(
                "cannot create a work directory in {}: {e}",
                parent.display()
            ))
        })
}

/// Creates the directory (0700) when missing.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| BackupError::Io(format!("cannot create {}: {e}", dir.display())))
}
