//! The record of runs (`job_runs`): how a run ended, with its `JobRun` audit entry in the
//! same transaction, and what the admin page, dashboard and metrics read back.

use super::claim::Claim;
use super::{Counts, Job};
use crate::audit::{self, Action, Actor, Entry, Object, ObjectKind, Outcome};
use crate::crypto::KeyRing;
use crate::db::schema::job_runs;
use crate::db::{DbConn, DbResult, write_transaction};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Longest error text kept; errors name tables and keys, never values.
const MAX_ERROR_CHARS: usize = 400;

/// Ends the run: status, end time, counts and error, and the audit entry (actor System,
/// object the run's row, counts only), in one transaction.
pub fn finish(
    conn: &mut DbConn,
    ring: &KeyRing,
    claim: &Claim,
    counts: &Counts,
    error: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<()> {
    let error: Option<String> = error.map(|e| {
        e.chars()
            .filter(|c| !c.is_control())
            .take(MAX_ERROR_CHARS)
            .collect()
    });
    let status = if error.is_some() { "failed" } else { "ok" };
    write_transaction(conn, |conn| {
        diesel::update(job_runs::table.find(claim.id))
            .set((
                job_runs::status.eq(status),
                job_runs::finished_at.eq(Some(now)),
                job_runs::removed.eq(counts.to_json()),
                job_runs::error.eq(error.as_deref()),
            ))
            .execute(conn)?;
        let entry = Entry::new(
            now,
            Actor::System,
            Action::JobRun,
            Object::new(ObjectKind::Job, Some(claim.id)),
        )
        .reason(format!("{}: {}", claim.job.name(), counts.summary()))
        .outcome(if error.is_some() {
            Outcome::Failed
        } else {
            Outcome::Ok
        });
        audit::record(conn, ring, &entry)?;
        Ok(())
    })
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub job: Job,
    pub cause: String,
    pub due_at: NaiveDateTime,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub node: String,
    pub status: String,
    pub removed: Counts,
    pub error: Option<String>,
}

type Raw = (
    i64,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    String,
    String,
    String,
    Option<String>,
);

fn columns() -> (
    job_runs::id,
    job_runs::job,
    job_runs::cause,
    job_runs::due_at,
    job_runs::started_at,
    job_runs::finished_at,
    job_runs::node,
    job_runs::status,
    job_runs::removed,
    job_runs::error,
) {
    (
        job_runs::id,
        job_runs::job,
        job_runs::cause,
        job_runs::due_at,
        job_runs::started_at,
        job_runs::finished_at,
        job_runs::node,
        job_runs::status,
        job_runs::removed,
        job_runs::error,
    )
}

fn parse(rows: Vec<Raw>) -> Vec<RunRow> {
    rows.into_iter()
        .filter_map(|r| {
            Some(RunRow {
                id: r.0,
                job: Job::parse(&r.1)?,
                cause: r.2,
                due_at: r.3,
                started_at: r.4,
                finished_at: r.5,
                node: r.6,
                status: r.7,
                removed: Counts::from_json(&r.8),
                error: r.9,
            })
        })
        .collect()
}

/// The newest runs of every job, newest first.
pub fn recent(conn: &mut DbConn, limit: i64) -> DbResult<Vec<RunRow>> {
    let rows = job_runs::table
        .order(job_runs::started_at.desc())
        .limit(limit)
        .select(columns())
        .load::<Raw>(conn)?;
    Ok(parse(rows))
}

/// A job's newest run, and its newest successful one.
pub fn last(conn: &mut DbConn, job: Job) -> DbResult<(Option<RunRow>, Option<RunRow>)> {
    let newest = job_runs::table
        .filter(job_runs::job.eq(job.name()))
        .order(job_runs::started_at.desc())
        .limit(1)
        .select(columns())
        .load::<Raw>(conn)?;
    let ok = job_runs::table
        .filter(job_runs::job.eq(job.name()))
        .filter(job_runs::status.eq("ok"))
        .order(job_runs::started_at.desc())
        .limit(1)
        .select(columns())
        .load::<Raw>(conn)?;
    Ok((
        parse(newest).into_iter().next(),
        parse(ok).into_iter().next(),
    ))
}

/// The latest tick a run of `job` was made for (any outcome).
pub fn last_due(conn: &mut DbConn, job: Job) -> DbResult<Option<NaiveDateTime>> {
    Ok(job_runs::table
        .filter(job_runs::job.eq(job.name()))
        .select(diesel::dsl::max(job_runs::due_at))
        .first::<Option<NaiveDateTime>>(conn)?)
}

/// All runs of one job, oldest first (for tests and the CLI).
pub fn of_job(conn: &mut DbConn, job: Job) -> DbResult<Vec<RunRow>> {
    let rows = job_runs::table
        .filter(job_runs::job.eq(job.name()))
        .order(job_runs::started_at.asc())
        .select(columns())
        .load::<Raw>(conn)?;
    Ok(parse(rows))
}
