//! Whether a database is reachable and fully migrated, for `plauder check`. Never runs a
//! migration and never creates a database: a missing SQLite file is the caller's to report.

use super::{Backend, DbConn, DbResult, Manager, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use diesel::migration::{Migration, MigrationSource};
use diesel_migrations::MigrationHarness;

/// Migrations applied, waiting, and applied but unknown to this binary (a newer plauder ran).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub backend: Backend,
    pub applied: usize,
    pub pending: Vec<String>,
    pub unknown: Vec<String>,
}

/// Connects once (no pool) and compares the applied migrations with the embedded ones.
pub fn migration_status(url: &str) -> DbResult<MigrationStatus> {
    let backend = Backend::from_url(url)?;
    let manager = Manager {
        backend,
        url: url.to_string(),
    };
    let err =
        |e: Box<dyn std::error::Error + Send + Sync>| super::DbError::Migration(e.to_string());
    // diesel creates its bookkeeping table if it is missing: the only write, and a harmless one.
    let (applied, known) = match manager.connect_raw()? {
        DbConn::Sqlite(mut c) => (
            c.applied_migrations().map_err(err)?,
            versions(
                MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                    .map_err(err)?,
            ),
        ),
        DbConn::Pg(mut c) => (
            c.applied_migrations().map_err(err)?,
            versions(
                MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS).map_err(err)?,
            ),
        ),
    };
    let applied: Vec<String> = applied.iter().map(ToString::to_string).collect();
    let pending = known
        .iter()
        .filter(|v| !applied.contains(v))
        .cloned()
        .collect();
    let unknown = applied
        .iter()
        .filter(|v| !known.contains(v))
        .cloned()
        .collect();
    Ok(MigrationStatus {
        backend,
        applied: applied.len(),
        pending,
        unknown,
    })
}

fn versions<DB: diesel::backend::Backend>(migrations: Vec<Box<dyn Migration<DB>>>) -> Vec<String> {
    let mut versions: Vec<String> = migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    versions.sort();
    versions
}
