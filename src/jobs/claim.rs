//! One node runs a job at a time. The work runs in many short transactions (so a large purge
//! never blocks chat), which a transaction-scoped advisory lock alone cannot cover, and a
//! session lock must never be taken on a pooled connection (it would stay with the
//! connection in the pool). So the lock guards only the claim:
//!
//! 1. In one write transaction, on PostgreSQL under `pg_try_advisory_xact_lock(job)` (on
//!    SQLite `BEGIN IMMEDIATE` serialises the same way): if a run of this job is still
//!    `running` with an unexpired lease, or this tick (`due_at`) was already run, take
//!    nothing; otherwise insert a `running` row with a lease of `LEASE`. The commit releases
//!    the lock; the row is now the claim every other node sees.
//! 2. The work runs in batches outside that transaction; after each batch the run renews
//!    its lease (`renew`). A renewal that finds its row no longer running (taken over after
//!    the lease ran out, e.g. the node froze) stops the run.
//! 3. A node that died mid-run leaves a `running` row whose lease expires; the next claim
//!    marks it failed ("abandoned") and runs.
//!
//! The unique index on (job, due_at) is the last guard: one tick never runs twice.

use super::{Cause, Job};
use crate::db::schema::job_runs;
use crate::db::{DbConn, DbResult, write_transaction};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How long a claim holds without renewal; batches renew it far more often.
pub const LEASE: TimeDelta = TimeDelta::minutes(5);

/// Advisory lock keys: one per job, in plauder's own range ("plauder" in ASCII, then 0x2_).
const LOCK_BASE: i64 = 0x706c_6175_6465_7220;

/// A taken claim: the run's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: i64,
    pub job: Job,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

fn lock_key(job: Job) -> i64 {
    let index = Job::ALL.iter().position(|j| *j == job).unwrap_or(0);
    LOCK_BASE + i64::try_from(index).unwrap_or(0)
}

/// PostgreSQL: this job's transaction-scoped advisory lock, without waiting. SQLite: the
/// write transaction already holds the database's write lock.
fn try_lock(conn: &mut DbConn, job: Job) -> DbResult<bool> {
    if !matches!(conn, DbConn::Pg(_)) {
        return Ok(true);
    }
    let r: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(lock_key(job))
        .get_result(conn)?;
    Ok(r.locked)
}

/// Where this run happens, for the admin page: host name and process id.
pub fn node() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    format!("{host}:{}", std::process::id())
}

/// Takes the claim on `job` for tick `due`, or `None` when another run holds it or the tick
/// already ran.
pub fn claim(
    conn: &mut DbConn,
    job: Job,
    cause: Cause,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> DbResult<Option<Claim>> {
    write_transaction(conn, |conn| {
        if !try_lock(conn, job)? {
            return Ok(None);
        }
        let running: Vec<(i64, NaiveDateTime)> = job_runs::table
            .filter(job_runs::job.eq(job.name()))
            .filter(job_runs::status.eq("running"))
            .select((job_runs::id, job_runs::lease_until))
            .load(conn)?;
        for (id, lease_until) in running {
            if lease_until > now {
                return Ok(None);
            }
            diesel::update(job_runs::table.find(id))
                .set((
                    job_runs::status.eq("failed"),
                    job_runs::finished_at.eq(Some(lease_until)),
                    job_runs::error.eq(Some("abandoned: its lease ran out (node stopped?)")),
                ))
                .execute(conn)?;
        }
        let ran: i64 = job_runs::table
            .filter(job_runs::job.eq(job.name()))
            .filter(job_runs::due_at.eq(due))
            .count()
            .get_result(conn)?;
        if ran > 0 {
            return Ok(None);
        }
        let id = crate::db::new_id(now.and_utc())?;
        diesel::insert_into(job_runs::table)
            .values((
                job_runs::id.eq(id),
                job_runs::job.eq(job.name()),
                job_runs::cause.eq(cause.as_str()),
                job_runs::due_at.eq(due),
                job_runs::started_at.eq(now),
                job_runs::lease_until.eq(now + LEASE),
                job_runs::node.eq(node()),
                job_runs::status.eq("running"),
                job_runs::removed.eq("{}"),
            ))
            .execute(conn)?;
        Ok(Some(Claim { id, job }))
    })
}

/// Extends the lease; `false` when the row is no longer this running claim.
pub fn renew(conn: &mut DbConn, claim: &Claim, now: NaiveDateTime) -> DbResult<bool> {
    let changed = diesel::update(
        job_runs::table
            .find(claim.id)
            .filter(job_runs::status.eq("running")),
    )
    .set(job_runs::lease_until.eq(now + LEASE))
    .execute(conn)?;
    Ok(changed == 1)
}
