//! Making, verifying and listing backups.
//!
//! A backup is written as `.partial` (0600) and renamed once complete and synced, so the
//! directory only ever shows whole files. It is verified right after (decrypted, checked,
//! counted again and compared with the counts taken from the snapshot).

use super::archive::{self, Manifest};
use super::format::{Backend, Header};
use super::records::{self, NewRun, Trigger};
use super::{BackupError, journal_file, snapshot};
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::Db;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub const EXTENSION: &str = "pbak";

#[derive(Debug, Clone)]
pub struct Created {
    pub path: PathBuf,
    pub bytes: u64,
    pub created: DateTime<Utc>,
    pub tables: BTreeMap<String, i64>,
}

/// Snapshots the database, packs it with the journal file, compresses, encrypts.
pub fn create(
    config: &Config,
    db: &Db,
    ring: &KeyRing,
    now: DateTime<Utc>,
) -> Result<Created, BackupError> {
    let dir = config.backup_dir();
    let work = super::work_dir(&dir)?;
    let snapshot_path = work.path().join("database");
    let url = config.database_url();
    // The file gets every erasure committed so far before the snapshot is taken: the
    // archive's copy is then at least as new as the database inside it.
    let journal_path = journal_file::path_in(&config.data_dir());
    journal_file::sync(&mut *db.conn()?, &journal_path)?;
    snapshot::take(db, url.expose(), &snapshot_path)?;
    let journal = match std::fs::read(&journal_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(BackupError::Io(format!(
                "cannot read the journal file: {e}"
            )));
        }
    };
    let backend = Backend::of(db.backend());
    let tables = snapshot::inspect(backend, &snapshot_path)?;
    let manifest = Manifest {
        format: 1,
        backend: backend.name().to_string(),
        created: now.to_rfc3339(),
        plauder_version: env!("CARGO_PKG_VERSION").to_string(),
        tables: tables.clone(),
    };
    let header = Header::new(backend, now.timestamp(), ring)?;
    let path = free_name(&dir, now)?;
    let partial = path.with_extension("partial");
    let out = archive::create_private(&partial)?;
    let result = archive::write(
        BufWriter::new(out),
        header,
        ring,
        &manifest,
        &snapshot_path,
        &journal,
    )
    .and_then(|w| {
        w.into_inner()
            .map_err(|e| BackupError::Io(format!("cannot write: {e}")))
    })
    .and_then(|f| f.sync_all().map_err(BackupError::io("sync the backup")))
    .and_then(|()| std::fs::rename(&partial, &path).map_err(BackupError::io("rename the backup")))
    .and_then(|()| super::sync_dir(&path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let bytes = std::fs::metadata(&path)
        .map(|m| m.len())
        .map_err(BackupError::io("read the backup's size"))?;
    Ok(Created {
        path,
        bytes,
        created: now,
        tables,
    })
}

fn free_name(dir: &Path, now: DateTime<Utc>) -> Result<PathBuf, BackupError> {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    for n in 1..100 {
        let name = if n == 1 {
            format!("plauder-{stamp}.{EXTENSION}")
        } else {
            format!("plauder-{stamp}-{n}.{EXTENSION}")
        };
        let path = dir.join(name);
        if !path.exists() && !path.with_extension("partial").exists() {
            return Ok(path);
        }
    }
    Err(BackupError::Io("too many backups in one second".into()))
}

/// What a verify found.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Header,
    pub manifest: Manifest,
    pub tables: BTreeMap<String, i64>,
    pub journal_rows: usize,
}

/// Decrypts the whole archive (every chunk authenticated), checks the database image and
/// compares its row counts with those taken at creation.
pub fn verify(path: &Path, ring: &KeyRing, work_parent: &Path) -> Result<Verified, BackupError> {
    let work = super::work_dir(work_parent)?;
    let db = work.path().join("database");
    let opened = archive::read(path, ring, &db)?;
    let tables = snapshot::inspect(opened.header.backend, &db)?;
    if tables != opened.manifest.tables {
        return Err(BackupError::Integrity(
            "row counts differ from those recorded when the backup was made".into(),
        ));
    }
    Ok(Verified {
        journal_rows: journal_file::parse(&opened.journal).len(),
        header: opened.header,
        manifest: opened.manifest,
        tables,
    })
}

/// One backup file in the directory.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    /// From the header; `None` when the header cannot be read (shown as damaged).
    pub created: Option<NaiveDateTime>,
    pub backend: Option<Backend>,
}

/// The backups in `dir`, newest first (damaged ones last).
pub fn list(dir: &Path) -> Result<Vec<Listed>, BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(BackupError::Io(format!(
                "cannot list {}: {e}",
                dir.display()
            )));
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
        let header = std::fs::File::open(&path)
            .ok()
            .and_then(|mut f| Header::read(&mut f).ok())
            .map(|(h, _)| h);
        out.push(Listed {
            name,
            path,
            bytes,
            created: header
                .as_ref()
                .and_then(|h| DateTime::from_timestamp(h.created, 0))
                .map(|t| t.naive_utc()),
            backend: header.map(|h| h.backend),
        });
    }
    out.sort_by(|a, b| b.created.cmp(&a.created).then(b.name.cmp(&a.name)));
    Ok(out)
}

/// Creates a backup, verifies it and records both results (the CLI, the daily job, the
/// admin page); a failure is recorded too before it is returned.
pub fn create_recorded(
    config: &Config,
    db: &Db,
    ring: &KeyRing,
    now: DateTime<Utc>,
    cause: Trigger,
) -> Result<(Created, Result<Verified, BackupError>), BackupError> {
    let backend = Backend::of(db.backend()).name();
    match create(config, db, ring, now) {
        Ok(created) => {
            let name = created
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let mut conn = db.conn()?;
            records::insert(
                &mut conn,
                &NewRun {
                    file_name: &name,
                    created_at: now.naive_utc(),
                    size_bytes: i64::try_from(created.bytes).unwrap_or(i64::MAX),
                    backend,
                    cause,
                    ok: true,
                    error: None,
                },
            )?;
            let checked = verify(&created.path, ring, &config.backup_dir());
            let (ok, message) = match &checked {
                Ok(v) => (true, format!("ok: {} tables", v.tables.len())),
                Err(e) => (false, e.to_string()),
            };
            records::set_verified(&mut conn, &name, now.naive_utc(), ok, &message)?;
            Ok((created, checked))
        }
        Err(e) => {
            let message = e.to_string();
            if let Ok(mut conn) = db.conn() {
                let _ = records::insert(
                    &mut conn,
                    &NewRun {
                        file_name: "",
                        created_at: now.naive_utc(),
                        size_bytes: 0,
                        backend,
                        cause,
                        ok: false,
                        error: Some(&message),
                    },
                );
            }
            Err(e)
        }
    }
}
