//! Two `plauder serve` processes on one PostgreSQL fire the same job at the same ticks: each
//! tick runs once, on one node, and runs never overlap (the claim taken under
//! `pg_try_advisory_xact_lock`, see `jobs::claim`).

use crate::cli::Serve;
use crate::support::pg::PgDatabase;
use plauder::jobs::{Job, run_record};
use std::time::Duration;

#[test]
fn two_server_processes_on_one_postgres_run_a_job_once() {
    let pg = PgDatabase::create();
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let ring = dir_a.join("keyring.toml").display().to_string();
    let mut env = vec![
        ("PLAUDER_DATABASE_URL", pg.url.as_str()),
        ("PLAUDER_JOBS_SESSIONS", "*/2 * * * * *"),
    ];
    for off in [
        "PLAUDER_JOBS_EXPIRY",
        "PLAUDER_JOBS_TECHNICAL",
        "PLAUDER_JOBS_AUDIT",
        "PLAUDER_JOBS_DSR",
        "PLAUDER_JOBS_BACKUP",
    ] {
        env.push((off, ""));
    }
    let a = Serve::start_with_env(&dir_a, &env);
    env.push(("PLAUDER_KEY_RING", ring.as_str()));
    let b = Serve::start_with_env(&dir_b, &env);
    std::thread::sleep(Duration::from_secs(9));
    let log = format!("{}\n{}", a.stop(), b.stop());

    let db = plauder::db::Db::open(&pg.url).unwrap();
    let runs = run_record::of_job(&mut db.conn().unwrap(), Job::Sessions).unwrap();
    assert!(runs.len() >= 3, "ticks every 2 s for 9 s: {runs:?}\n{log}");
    let mut ticks: Vec<_> = runs.iter().map(|r| r.due_at).collect();
    ticks.dedup();
    assert_eq!(ticks.len(), runs.len(), "every tick ran once: {runs:?}");
    for r in &runs {
        assert_eq!(
            (r.status.as_str(), r.cause.as_str()),
            ("ok", "schedule"),
            "{r:?}"
        );
    }
    for pair in runs.windows(2) {
        let ended = pair[0].finished_at.unwrap();
        assert!(ended <= pair[1].started_at, "runs never overlap: {pair:?}");
    }
    assert!(
        log.contains("job skipped"),
        "both nodes fired; the second found the tick taken:\n{log}"
    );
    for other in Job::ALL.into_iter().filter(|j| *j != Job::Sessions) {
        let none = run_record::of_job(&mut db.conn().unwrap(), other).unwrap();
        assert!(none.is_empty(), "{} is switched off", other.name());
    }
}
