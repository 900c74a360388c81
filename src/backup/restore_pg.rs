//! PostgreSQL's side of a restore, all or nothing: the live schema `public` is set aside
//! (renamed to [`ASIDE`]) rather than dropped, the backup goes into a fresh `public` with
//! `pg_restore`, and the restored data is prepared there (migrated, the erasure journal
//! replayed, expired data purged). Only then is the old schema dropped. When any step
//! fails, the fresh schema is dropped and the old one renamed back: the database is as it
//! was before the restore. Schema renames are transactional in PostgreSQL, so each of the
//! switches is one transaction.

use super::restore::Restored;
use super::{BackupError, pgtools};
use crate::db::Db;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::path::Path;

/// Where the live schema waits while a restore runs.
pub const ASIDE: &str = "plauder_before_restore";

pub(super) fn restore(
    url: &str,
    image: &Path,
    prepare: impl FnOnce(&Db) -> Result<Restored, BackupError>,
) -> Result<Restored, BackupError> {
    refuse_other_sessions(url)?;
    set_aside(url)?;
    let result = pg_restore(url, image).and_then(|()| prepare(&Db::open(url)?));
    match result {
        Ok(done) => {
            // The restore stands; an old schema that cannot be dropped only costs space.
            if let Err(e) = run(url, &format!("DROP SCHEMA {ASIDE} CASCADE")) {
                tracing::warn!(error = %e, schema = ASIDE, "the old schema stays: drop it by hand");
            }
            Ok(done)
        }
        Err(e) => match put_back(url) {
            Ok(()) => Err(BackupError::Io(format!(
                "{e}; the database is as it was before the restore"
            ))),
            Err(back) => Err(BackupError::Io(format!(
                "{e}; putting the database back failed too ({back}): the schema {ASIDE} holds it as it was, rename it to public"
            ))),
        },
    }
}

fn connect(url: &str) -> Result<PgConnection, BackupError> {
    PgConnection::establish(url)
        .map_err(|e| BackupError::Io(format!("cannot connect to PostgreSQL: {e}")))
}

fn run(url: &str, sql: &str) -> Result<(), BackupError> {
    connect(url)?
        .batch_execute(sql)
        .map_err(|e| BackupError::Io(format!("PostgreSQL refused `{sql}`: {e}")))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A server on another machine holds no lock here; its connections show. A schema left
/// aside by a restore that never finished (the process was killed) holds the database as
/// it was: it is never dropped without the admin deciding.
fn refuse_other_sessions(url: &str) -> Result<(), BackupError> {
    let mut conn = connect(url)?;
    let sessions: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .get_result(&mut conn)?;
    if sessions.n > 0 {
        return Err(BackupError::Refused(format!(
            "{} other session(s) are connected to the database: stop every plauder server using it first",
            sessions.n
        )));
    }
    let aside: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_namespace WHERE nspname = '{ASIDE}'"
    ))
    .get_result(&mut conn)?;
    if aside.n > 0 {
        return Err(BackupError::Refused(format!(
            "an earlier restore did not finish: the schema {ASIDE} holds the database as it was before it; rename it to public (or drop it) first"
        )));
    }
    Ok(())
}

/// The live schema is renamed, not dropped; tables of newer migrations go with it, so
/// none survives into the restored database.
fn set_aside(url: &str) -> Result<(), BackupError> {
    run(
        url,
        &format!("BEGIN; ALTER SCHEMA public RENAME TO {ASIDE}; CREATE SCHEMA public; COMMIT;"),
    )
}

fn put_back(url: &str) -> Result<(), BackupError> {
    run(
        url,
        &format!(
            "BEGIN; DROP SCHEMA IF EXISTS public CASCADE; ALTER SCHEMA {ASIDE} RENAME TO public; COMMIT;"
        ),
    )
}

fn pg_restore(url: &str, image: &Path) -> Result<(), BackupError> {
    let dbname = pgtools::env_for(url)?
        .into_iter()
        .find(|(k, _)| *k == "PGDATABASE")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let mut cmd = pgtools::command("pg_restore", url)?;
    cmd.arg("--no-owner")
        .arg("--no-privileges")
        .arg("--single-transaction")
        .arg("--exit-on-error")
        .arg("--dbname")
        .arg(&dbname)
        .arg(image);
    pgtools::run(cmd, "pg_restore").map(|_| ())
}
