//! Results of backups and verifies in the database (`backup_runs`), for the admin page and
//! the dashboard. The files in the backup directory stay the truth about what exists; a
//! restore rolls this table back to the backup's state, so a file without a row is shown as
//! "not recorded" rather than hidden.

use crate::db::schema::backup_runs as t;
use crate::db::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Who started a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Cli,
    Job,
    Admin,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cli => "cli",
            Self::Job => "job",
            Self::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct Run {
    pub id: i64,
    pub file_name: String,
    pub created_at: NaiveDateTime,
    pub size_bytes: i64,
    pub backend: String,
    pub cause: String,
    pub ok: bool,
    pub error: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    pub verify_ok: Option<bool>,
    pub verify_message: Option<String>,
}

pub struct NewRun<'a> {
    pub file_name: &'a str,
    pub created_at: NaiveDateTime,
    pub size_bytes: i64,
    pub backend: &'a str,
    pub cause: Trigger,
    pub ok: bool,
    pub error: Option<&'a str>,
}

pub fn insert(conn: &mut DbConn, run: &NewRun<'_>) -> DbResult<i64> {
    let id = crate::db::new_id(run.created_at.and_utc())?;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(id),
            t::file_name.eq(run.file_name),
            t::created_at.eq(run.created_at),
            t::size_bytes.eq(run.size_bytes),
            t::backend.eq(run.backend),
            t::cause.eq(run.cause.as_str()),
            t::ok.eq(run.ok),
            t::error.eq(run.error),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records a verify result on the newest row of that file; `false` when none exists.
pub fn set_verified(
    conn: &mut DbConn,
    file_name: &str,
    at: NaiveDateTime,
    ok: bool,
    message: &str,
) -> DbResult<bool> {
    let Some(id) = t::table
        .filter(t::file_name.eq(file_name))
        .filter(t::ok.eq(true))
        .order(t::created_at.desc())
        .select(t::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(false);
    };
    diesel::update(t::table.find(id))
        .set((
            t::verified_at.eq(Some(at)),
            t::verify_ok.eq(Some(ok)),
            t::verify_message.eq(Some(message)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The newest rows, newest first.
pub fn recent(conn: &mut DbConn, limit: i64) -> DbResult<Vec<Run>> {
    Ok(t::table
        .order(t::created_at.desc())
        .limit(limit)
        .load(conn)?)
}

/// The newest row of each of these file names.
pub fn for_files(conn: &mut DbConn, names: &[String]) -> DbResult<Vec<Run>> {
    let mut rows: Vec<Run> = t::table
        .filter(t::file_name.eq_any(names))
        .order(t::created_at.desc())
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.file_name.clone()));
    Ok(rows)
}
