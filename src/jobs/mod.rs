//! Scheduled jobs: retention (deleting what has expired) and the daily backup. Each job runs
//! from a cron string of `[jobs]` (`scheduler`), from `plauder retention run`, or soon after
//! start when its last tick was missed while the server was down (`scheduler::catch_up`).
//!
//! A run first takes the job's claim (`claim`): a row in `job_runs`, written under a
//! PostgreSQL transaction-scoped advisory lock, with a lease that every batch renews. So on
//! several nodes one runs each job at a time, and the same scheduled tick runs once. The
//! work deletes in small batches with short write transactions (`Ctx::between_batches`), so
//! live chat keeps its latency during a large purge. Every run ends in its row (counts per
//! kind, error) and a `JobRun` audit entry with counts only (`run_record::finish`).
//!
//! Time comes from `state.clock` only, so tests move it with a `ManualClock`.

pub mod calendar;
pub mod claim;
mod expiry;
mod expiry_rules;
mod purge;
mod registers;
pub mod run_record;
pub mod scheduler;
mod sessions;
pub mod status;
mod technical;

pub use purge::purge_expired;

use crate::db::{DbConn, DbError};
use crate::state::AppState;
use chrono::NaiveDateTime;
use std::collections::BTreeMap;

/// The jobs; their names are the `[jobs]` keys, the `--job` values and the run table's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    Expiry,
    Technical,
    Sessions,
    Audit,
    Dsr,
    Backup,
}

impl Job {
    pub const ALL: [Job; 6] = [
        Self::Expiry,
        Self::Technical,
        Self::Sessions,
        Self::Audit,
        Self::Dsr,
        Self::Backup,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Expiry => "expiry",
            Self::Technical => "technical",
            Self::Sessions => "sessions",
            Self::Audit => "audit",
            Self::Dsr => "dsr",
            Self::Backup => "backup",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|j| j.name() == name)
    }

    /// The job's cron string; empty when it is switched off.
    pub fn schedule(self, config: &crate::config::JobsConfig) -> &str {
        let j = config;
        match self {
            Self::Expiry => &j.expiry,
            Self::Technical => &j.technical,
            Self::Sessions => &j.sessions,
            Self::Audit => &j.audit,
            Self::Dsr => &j.dsr,
            Self::Backup => &j.backup,
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Expiry => "retention.job.expiry",
            Self::Technical => "retention.job.technical",
            Self::Sessions => "retention.job.sessions",
            Self::Audit => "retention.job.audit",
            Self::Dsr => "retention.job.dsr",
            Self::Backup => "retention.job.backup",
        }
    }
}

/// Rows removed per kind (fixed words such as "conversations"), never ids or values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(BTreeMap<String, i64>);

impl Counts {
    pub fn add(&mut self, kind: &str, n: i64) {
        *self.0.entry(kind.to_string()).or_default() += n;
    }

    pub fn get(&self, kind: &str) -> i64 {
        self.0.get(kind).copied().unwrap_or(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, i64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// As stored in `job_runs.removed`: a JSON object of numbers.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }

    pub fn from_json(text: &str) -> Self {
        Self(serde_json::from_str(text).unwrap_or_default())
    }

    /// "conversations=3 messages=12", or "nothing".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, n)| **n != 0)
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(" ")
        }
    }
}

/// Why a run started; stored in `job_runs.cause`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Schedule,
    /// The last tick was missed while the server was down.
    CatchUp,
    /// `plauder retention run`.
    Manual,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::CatchUp => "catch_up",
            Self::Manual => "manual",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("backup failed: {0}")]
    Backup(String),
    /// The lease ran out and another node took the job over; this run stops.
    #[error("the claim on this job was lost (lease expired); stopped")]
    LostClaim,
}

impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// What happened to a request to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It ran (successfully or not: see the error) and was recorded as `run`.
    Ran {
        run: i64,
        counts: Counts,
        error: Option<String>,
    },
    /// Another run of the job holds the claim, or this tick already ran.
    Skipped,
}

/// Deleting for real, or only counting what would go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    DryRun,
}

/// How many conversations one write transaction deletes, and messages one chunk.
pub const BATCH: i64 = 50;
pub const MESSAGE_CHUNK: i64 = 250;
/// The pause between two write transactions of a scheduled run, so waiting chat writes
/// get the lock. A restore runs alone and does not pause.
const PAUSE: std::time::Duration = std::time::Duration::from_millis(5);

/// What a job's work gets: the state, one fixed `now` for the whole run (every cutoff is
/// computed from it), the mode, the claim to renew and the counts so far.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub now: NaiveDateTime,
    pub mode: Mode,
    claim: Option<&'a claim::Claim>,
    pub counts: Counts,
}

impl Ctx<'_> {
    /// Between two batches: renews the lease (a lost claim stops the run) and pauses.
    fn between_batches(&mut self, conn: &mut DbConn) -> Result<(), JobError> {
        if let Some(claim) = self.claim {
            if !claim::renew(conn, claim, self.state.clock.naive())? {
                return Err(JobError::LostClaim);
            }
            std::thread::sleep(PAUSE);
        }
        Ok(())
    }

    fn dry(&self) -> bool {
        self.mode == Mode::DryRun
    }

    /// Runs a retention purge (`purge`: also run by a restore, without a server) as part
    /// of this run: its counts join the run's.
    fn purge(
        &mut self,
        conn: &mut DbConn,
        work: fn(&mut purge::Purge<'_>, &mut DbConn) -> Result<(), JobError>,
    ) -> Result<(), JobError> {
        let counts = std::mem::take(&mut self.counts);
        let mut p = purge::Purge::scheduled(self.state, self.claim, self.now, self.mode, counts);
        let result = work(&mut p, conn);
        self.counts = p.counts;
        result
    }
}

fn work(ctx: &mut Ctx<'_>, conn: &mut DbConn, job: Job) -> Result<(), JobError> {
    match job {
        Job::Expiry => ctx.purge(conn, expiry::run),
        Job::Technical => ctx.purge(conn, technical::run),
        Job::Sessions => sessions::run(ctx, conn),
        Job::Audit => registers::audit(ctx, conn),
        Job::Dsr => registers::dsr(ctx, conn),
        Job::Backup => backup(ctx),
    }
}

/// The daily backup is the backup module's (`backup::run_scheduled`); its own rotation
/// counts as removed backups.
fn backup(ctx: &mut Ctx<'_>) -> Result<(), JobError> {
    if ctx.dry() {
        return Ok(());
    }
    let summary =
        crate::backup::run_scheduled(ctx.state).map_err(|e| JobError::Backup(e.to_string()))?;
    ctx.counts.add(
        "backups_rotated",
        i64::try_from(summary.rotated).unwrap_or(0),
    );
    Ok(())
}

/// Runs `job` now if its claim can be taken for tick `due`; blocking (call it on a blocking
/// thread). The run is recorded whether it succeeds or fails.
pub fn run(
    state: &AppState,
    job: Job,
    cause: Cause,
    due: NaiveDateTime,
) -> Result<Outcome, JobError> {
    let mut conn = state.db.conn()?;
    let started = state.clock.naive();
    let Some(claim) = claim::claim(&mut conn, job, cause, due, started)? else {
        tracing::info!(
            job = job.name(),
            "job skipped: running elsewhere or already ran"
        );
        return Ok(Outcome::Skipped);
    };
    tracing::info!(job = job.name(), cause = cause.as_str(), "job started");
    let mut ctx = Ctx {
        state,
        now: started,
        mode: Mode::Run,
        claim: Some(&claim),
        counts: Counts::default(),
    };
    let result = work(&mut ctx, &mut conn, job);
    let error = result.err().map(|e| e.to_string());
    let finished = state.clock.naive();
    run_record::finish(
        &mut conn,
        &state.ring,
        &claim,
        &ctx.counts,
        error.as_deref(),
        finished,
    )?;
    state
        .metrics
        .jobs
        .finished(job.name(), error.is_none(), finished.and_utc().timestamp());
    match &error {
        None => tracing::info!(job = job.name(), removed = %ctx.counts.summary(), "job finished"),
        Some(e) => tracing::error!(job = job.name(), error = %e, "job failed"),
    }
    // Deleted rows leave SQLite's WAL too (see db::erasure::staff::checkpoint).
    if error.is_none() && ctx.counts.iter().any(|(_, n)| n > 0) {
        let _ = crate::db::erasure::staff::checkpoint(&mut conn);
    }
    Ok(Outcome::Ran {
        run: claim.id,
        counts: ctx.counts,
        error,
    })
}

/// What `job` would remove now; deletes nothing and records nothing.
pub fn dry_run(state: &AppState, job: Job) -> Result<Counts, JobError> {
    let mut conn = state.db.conn()?;
    let mut ctx = Ctx {
        state,
        now: state.clock.naive(),
        mode: Mode::DryRun,
        claim: None,
        counts: Counts::default(),
    };
    work(&mut ctx, &mut conn, job)?;
    Ok(ctx.counts)
}
