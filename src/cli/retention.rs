//! `retention run [--job NAME] [--dry-run]` and `retention status`: runs retention jobs now
//! (recorded and audited like scheduled runs, and refused while another node runs the same
//! job), shows what they would remove without deleting anything, or shows each job's state.

use super::Failure;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::jobs::{self, Cause, Job, Outcome, status};
use crate::state::AppState;
use clap::Subcommand;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Run retention jobs now (all but the backup, or the one named).
    Run {
        /// One job: expiry, technical, sessions, audit, dsr or backup.
        #[arg(long, value_name = "NAME")]
        job: Option<String>,
        /// Only count what would be removed, per kind; delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Each job's schedule, next run and last result.
    Status,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

/// The state a job needs, from an installation `plauder init` made (nothing is created).
fn state(config: Config) -> Result<AppState, Failure> {
    let ring = crate::crypto::KeyRing::load(&config.key_ring_path())
        .map_err(|e| Failure::runtime(format!("{e} (run `plauder init` first)")))?;
    let db = crate::db::Db::open(config.database_url().expose()).map_err(Failure::runtime)?;
    let migrations_run = db.migrate().map_err(Failure::runtime)?;
    let prepared = crate::setup::Prepared {
        db,
        ring,
        created_key_ring: false,
        created_certificate: false,
        migrations_run,
        first_admin: None,
    };
    AppState::new(config, prepared, Arc::new(SystemClock)).map_err(Failure::runtime)
}

fn print_counts(counts: &jobs::Counts) {
    let mut any = false;
    for (kind, n) in counts.iter() {
        println!("  {kind}: {n}");
        any = true;
    }
    if !any {
        println!("  nothing");
    }
}

pub fn run(config: Config, cmd: RetentionCommand) -> Result<(), Failure> {
    crate::logging::init(&config.log);
    match cmd {
        RetentionCommand::Run { job, dry_run } => {
            let chosen: Vec<Job> = match job.as_deref() {
                Some(name) => vec![Job::parse(name).ok_or_else(|| {
                    let names: Vec<&str> = Job::ALL.iter().map(|j| j.name()).collect();
                    usage(format!(
                        "--job: unknown job `{name}` (one of {})",
                        names.join(", ")
                    ))
                })?],
                // The backup is a job of its own (`plauder backup create`), not retention.
                None => Job::ALL.into_iter().filter(|j| *j != Job::Backup).collect(),
            };
            let state = state(config)?;
            let mut failed = false;
            for job in chosen {
                if dry_run {
                    let counts = jobs::dry_run(&state, job).map_err(Failure::runtime)?;
                    println!("{} (dry run, nothing deleted) would remove:", job.name());
                    print_counts(&counts);
                    continue;
                }
                let now = state.clock.naive();
                match jobs::run(&state, job, Cause::Manual, now).map_err(Failure::runtime)? {
                    Outcome::Ran {
                        run, counts, error, ..
                    } => {
                        match &error {
                            None => println!("{} (run {run}) removed:", job.name()),
                            Some(e) => {
                                println!("{} (run {run}) FAILED: {e}; removed so far:", job.name())
                            }
                        }
                        print_counts(&counts);
                        failed |= error.is_some();
                    }
                    Outcome::Skipped => {
                        println!(
                            "{}: another run of this job is in progress; not run",
                            job.name()
                        );
                        failed = true;
                    }
                }
            }
            if failed {
                return Err(Failure::runtime("a job failed or could not run"));
            }
            Ok(())
        }
        RetentionCommand::Status => {
            let state = state(config)?;
            let mut conn = state.db.conn().map_err(Failure::runtime)?;
            let all = status::all(&mut conn, &state.config.jobs, SystemClock.now())
                .map_err(Failure::runtime)?;
            for s in all {
                let schedule = if s.enabled() {
                    s.schedule.as_str()
                } else {
                    "off"
                };
                let next = s.next.map_or("-".into(), |t| format!("{t} UTC"));
                let last = s.last.as_ref().map_or("never".into(), |r| {
                    format!(
                        "{} at {} UTC ({})",
                        r.status,
                        r.started_at.format("%Y-%m-%d %H:%M:%S"),
                        r.removed.summary()
                    )
                });
                let missed = s
                    .missed
                    .map(|t| format!(", MISSED the run due {t} UTC"))
                    .unwrap_or_default();
                println!(
                    "{:<10} {schedule:<16} next {next}; last {last}{missed}",
                    s.job.name()
                );
            }
            Ok(())
        }
    }
}
