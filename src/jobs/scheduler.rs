//! The jobs in `plauder serve`: tokio-cron-scheduler fires each job at its cron string's
//! ticks (UTC) on a thread of its own with a small runtime, so a job never runs on an HTTP
//! worker; the work itself runs on that runtime's blocking pool. Soon after start every job
//! whose last tick has no run (the server was down) runs once (`catch_up`). Every minute the
//! job metrics are refreshed from the run table, so they show runs made by other nodes too.

use super::{Cause, Job, Outcome, status};
use crate::state::AppState;
use std::time::Duration;
use tokio_cron_scheduler::{Job as CronJob, JobScheduler};

/// How long after start the missed runs are made up.
const CATCH_UP_DELAY: Duration = Duration::from_secs(15);
const METRICS_EVERY: Duration = Duration::from_secs(60);

/// Database work on this runtime's blocking pool (not actix's: this thread has no System).
async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut crate::db::DbConn, &AppState) -> crate::db::DbResult<T> + Send + 'static,
) -> Result<T, String> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = state.db.conn()?;
        work(&mut conn, &state)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Runs one job on the blocking pool and logs what became of it.
async fn run_on_blocking(state: AppState, job: Job, cause: Cause, due: chrono::NaiveDateTime) {
    let refresh = state.clone();
    let result = tokio::task::spawn_blocking(move || super::run(&state, job, cause, due)).await;
    match result {
        Ok(Ok(Outcome::Ran { .. } | Outcome::Skipped)) => {}
        Ok(Err(e)) => tracing::error!(job = job.name(), error = %e, "job could not run"),
        Err(e) => tracing::error!(job = job.name(), error = %e, "job panicked"),
    }
    refresh_metrics(&refresh).await;
}

/// A scheduled tick: the tick it belongs to comes from the cron string and the clock (the
/// scheduler fires at or just after a tick, never before).
async fn fire(state: AppState, job: Job) {
    let schedule = job.schedule(&state.config.jobs).to_string();
    let Some(due) = status::previous_tick(&schedule, state.clock.now()) else {
        return;
    };
    run_on_blocking(state, job, Cause::Schedule, due).await;
}

/// Runs every enabled job whose latest tick (at the clock's now) has no run; one after
/// another. Another node's catch-up of the same tick finds it taken and skips.
pub async fn catch_up(state: &AppState) {
    for job in Job::ALL {
        let schedule = job.schedule(&state.config.jobs).to_string();
        let now = state.clock.now();
        let missed = blocking(state, move |conn, _| {
            status::missed_tick(conn, job, &schedule, now)
        })
        .await;
        match missed {
            Ok(Some(due)) => {
                tracing::info!(job = job.name(), %due, "running a missed job");
                run_on_blocking(state.clone(), job, Cause::CatchUp, due).await;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(job = job.name(), error = %e, "cannot check for missed runs"),
        }
    }
}

/// Reads every job's last success and missed state into the metrics.
pub async fn refresh_metrics(state: &AppState) {
    let now = state.clock.now();
    let result = blocking(state, move |conn, st| {
        status::all(conn, &st.config.jobs, now)
    })
    .await;
    match result {
        Ok(all) => {
            for s in all {
                let success = s
                    .last_success
                    .as_ref()
                    .and_then(|r| r.finished_at)
                    .map(|t| t.and_utc().timestamp());
                state
                    .metrics
                    .jobs
                    .observed(s.job.name(), success, s.missed.is_some());
            }
        }
        Err(e) => tracing::warn!(error = %e, "job metrics not refreshed"),
    }
}

async fn schedule_all(state: &AppState) -> Result<JobScheduler, String> {
    let scheduler = JobScheduler::new().await.map_err(|e| e.to_string())?;
    for job in Job::ALL {
        let schedule = job.schedule(&state.config.jobs).trim().to_string();
        if schedule.is_empty() {
            tracing::info!(job = job.name(), "job switched off");
            continue;
        }
        let state = state.clone();
        let cron = CronJob::new_async_tz(schedule.as_str(), chrono::Utc, move |_id, _scheduler| {
            Box::pin(fire(state.clone(), job))
        })
        .map_err(|e| format!("jobs.{}: `{schedule}`: {e}", job.name()))?;
        scheduler.add(cron).await.map_err(|e| e.to_string())?;
    }
    scheduler.start().await.map_err(|e| e.to_string())?;
    Ok(scheduler)
}

/// Starts the scheduler thread; returns once the jobs are registered (or why not).
pub fn start(state: AppState) -> Result<(), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("plauder-jobs".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                // Held for the life of the thread: dropping it would stop the jobs.
                let _scheduler = match schedule_all(&state).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                let _ = tx.send(Ok(()));
                refresh_metrics(&state).await;
                tokio::time::sleep(CATCH_UP_DELAY).await;
                catch_up(&state).await;
                loop {
                    tokio::time::sleep(METRICS_EVERY).await;
                    refresh_metrics(&state).await;
                }
            });
        })
        .map_err(|e| e.to_string())?;
    rx.recv().map_err(|e| e.to_string())?
}
