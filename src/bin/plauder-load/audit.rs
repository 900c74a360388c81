//! `audit-appends`: how many audit entries per second one database takes, each in its own
//! transaction with the chain lock (PostgreSQL advisory lock / SQLite BEGIN IMMEDIATE),
//! from several threads at once; checks the chain afterwards.

use plauder::audit::{self, Action, Actor, ChainState, Entry, Object};
use plauder::clock::{Clock, SystemClock};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct AuditArgs {
    /// sqlite://PATH or postgres://… (a fresh database: the tool migrates it).
    #[arg(long)]
    pub database_url: String,
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
}

pub fn run(args: &AuditArgs) -> Result<(), String> {
    let db = plauder::db::Db::open(&args.database_url).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    let dir = tempfile_dir()?;
    let ring = plauder::crypto::KeyRing::create(&dir.join("keyring.toml"), "bench")
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let counts = std::thread::scope(|s| {
        let workers: Vec<_> = (0..args.threads)
            .map(|_| {
                s.spawn(|| -> Result<u64, String> {
                    let mut conn = db.conn().map_err(|e| e.to_string())?;
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        let entry = Entry::new(
                            SystemClock.naive(),
                            Actor::System,
                            Action::JobRun,
                            Object::none(),
                        );
                        audit::append(&mut conn, &ring, &entry).map_err(|e| e.to_string())?;
                        n += 1;
                    }
                    Ok(n)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| "a worker panicked".to_string())?)
            .collect::<Result<Vec<u64>, String>>()
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let total: u64 = counts.iter().sum();
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let checked = match audit::verify(&mut conn, &ring, None).map_err(|e| e.to_string())? {
        ChainState::Intact { entries, .. } => entries,
        ChainState::Broken(b) => return Err(format!("chain broken: {b}")),
    };
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "audit appends ({}, {} threads): {:.0}/s ({total} in {elapsed:.1} s; chain of {checked} intact)",
        db.backend().name(),
        args.threads,
        total as f64 / elapsed,
    );
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "plauder-audit-bench-{}",
        u64::from_be_bytes(plauder::crypto::random_bytes::<8>().map_err(|e| e.to_string())?)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}
