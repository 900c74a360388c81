//! First-start set-up, shared by `serve` and `init`: data directory, key ring,
//! self-signed certificate, migrations and the first admin.

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::staff::{self, NewStaff, Role};
use crate::db::{Db, DbError};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

pub const FIRST_ADMIN: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("data directory {path}: {message}")]
    DataDir { path: String, message: String },
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot hash the password: {0}")]
    Password(String),
}

/// What set-up did, so the caller can tell the person at the terminal.
#[derive(Debug)]
pub struct Prepared {
    pub db: Db,
    pub ring: KeyRing,
    pub created_key_ring: bool,
    pub created_certificate: bool,
    pub migrations_run: usize,
    /// User name and password of a newly created first admin; shown once, never logged.
    pub first_admin: Option<(String, String)>,
}

pub fn prepare(config: &Config, clock: &dyn Clock) -> Result<Prepared, SetupError> {
    ensure_dir(&config.data_dir())?;
    let ring_path = config.key_ring_path();
    let created_key_ring = !ring_path.exists();
    let ring = if created_key_ring {
        KeyRing::create(&ring_path, &clock.now().to_rfc3339())?
    } else {
        KeyRing::load(&ring_path)?
    };
    let (cert, key, self_signed) = config.tls_paths();
    let created_certificate = self_signed && crate::tls::ensure_self_signed(&cert, &key)?;
    let db = Db::open(config.database_url().expose())?;
    let migrations_run = db.migrate()?;
    // Rows stored before the search index existed get their entries once (issue 8).
    crate::db::person_index::backfill(&db, &ring)?;
    let first_admin = create_first_admin(&db, &ring, clock)?;
    Ok(Prepared {
        db,
        ring,
        created_key_ring,
        created_certificate,
        migrations_run,
        first_admin,
    })
}

pub(crate) fn ensure_dir(path: &Path) -> Result<(), SetupError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(path)
        .map_err(|e| SetupError::DataDir {
            path: path.display().to_string(),
            message: e.to_string(),
        })
}

fn create_first_admin(
    db: &Db,
    ring: &KeyRing,
    clock: &dyn Clock,
) -> Result<Option<(String, String)>, SetupError> {
    let mut conn = db.conn()?;
    if staff::count(&mut conn)? > 0 {
        return Ok(None);
    }
    let password = crate::auth::password::generate()?;
    let hash =
        crate::auth::password::hash(&password).map_err(|e| SetupError::Password(e.to_string()))?;
    let new = NewStaff {
        username: FIRST_ADMIN,
        email: None,
        role: Role::Admin,
        password_hash: &hash,
    };
    match staff::insert(&mut conn, ring, &new, clock.naive()) {
        Ok(_) => Ok(Some((FIRST_ADMIN.to_string(), password))),
        // Another node created it at the same moment; its start printed the password.
        Err(DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
