//! Where each job stands: its schedule and next tick, its last run and last success, and
//! whether a tick went by without a run (missed). Read by the admin page, the dashboard,
//! the metrics and the catch-up at start; computed from `job_runs` and the cron strings, so
//! every node gives the same answer.

use super::Job;
use super::run_record::{self, RunRow};
use crate::config::{JobsConfig, parse_cron};
use crate::db::{DbConn, DbResult};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// How late a run may start before its tick counts as missed on the dashboard.
pub const GRACE: TimeDelta = TimeDelta::minutes(15);

/// croner keeps the start's fraction of a second; a tick is a whole second, the same on
/// every node (the run table's (job, due_at) key depends on it).
fn whole_seconds(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike as _;
    t.with_nanosecond(0).unwrap_or(t)
}

/// The latest tick of `schedule` at or before `at`; `None` when off or never.
pub fn previous_tick(schedule: &str, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    if schedule.trim().is_empty() {
        return None;
    }
    let cron = parse_cron(schedule).ok()?;
    cron.find_previous_occurrence(&at, true)
        .ok()
        .map(|t| whole_seconds(t.naive_utc()))
}

/// The first tick of `schedule` after `at`; `None` when off.
pub fn next_tick(schedule: &str, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    if schedule.trim().is_empty() {
        return None;
    }
    let cron = parse_cron(schedule).ok()?;
    cron.find_next_occurrence(&at, false)
        .ok()
        .map(|t| whole_seconds(t.naive_utc()))
}

/// The tick at or before `at` that no run was made for, if any. A job that never ran has
/// missed nothing from before the installation (its first staff account): a fresh server
/// neither warns nor makes up a night it was not there for.
pub fn missed_tick(
    conn: &mut DbConn,
    job: Job,
    schedule: &str,
    at: DateTime<Utc>,
) -> DbResult<Option<NaiveDateTime>> {
    let Some(prev) = previous_tick(schedule, at) else {
        return Ok(None);
    };
    let last_due = match run_record::last_due(conn, job)? {
        Some(due) => due,
        None => match installed_at(conn)? {
            Some(installed) => installed,
            None => return Ok(None),
        },
    };
    Ok((last_due < prev).then_some(prev))
}

/// When this installation began: its first staff account's creation.
fn installed_at(conn: &mut DbConn) -> DbResult<Option<NaiveDateTime>> {
    use crate::db::schema::staff;
    use diesel::prelude::*;
    Ok(staff::table
        .select(diesel::dsl::min(staff::created_at))
        .first::<Option<NaiveDateTime>>(conn)?)
}

#[derive(Debug, Clone)]
pub struct JobStatus {
    pub job: Job,
    /// The cron string; empty: switched off.
    pub schedule: String,
    pub next: Option<NaiveDateTime>,
    pub last: Option<RunRow>,
    pub last_success: Option<RunRow>,
    /// A tick more than `GRACE` ago with no run.
    pub missed: Option<NaiveDateTime>,
}

impl JobStatus {
    pub fn enabled(&self) -> bool {
        !self.schedule.trim().is_empty()
    }

    /// The newest run failed.
    pub fn failed(&self) -> bool {
        self.last.as_ref().is_some_and(|r| r.status == "failed")
    }

    pub fn running(&self) -> bool {
        self.last.as_ref().is_some_and(|r| r.status == "running")
    }

    /// Something for an admin to look at: a failed newest run, or a missed tick.
    pub fn attention(&self) -> bool {
        self.failed() || self.missed.is_some()
    }
}

/// Every job's status at `now`.
pub fn all(conn: &mut DbConn, config: &JobsConfig, now: DateTime<Utc>) -> DbResult<Vec<JobStatus>> {
    let mut out = Vec::with_capacity(Job::ALL.len());
    for job in Job::ALL {
        let schedule = job.schedule(config).trim().to_string();
        let (last, last_success) = run_record::last(conn, job)?;
        let running = last.as_ref().is_some_and(|r| r.status == "running");
        let missed = if running {
            None
        } else {
            missed_tick(conn, job, &schedule, now - GRACE)?
        };
        out.push(JobStatus {
            job,
            next: next_tick(&schedule, now),
            schedule,
            last,
            last_success,
            missed,
        });
    }
    Ok(out)
}
