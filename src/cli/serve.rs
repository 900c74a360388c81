//! `serve`, `init` and `migrate`.

use super::Failure;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::setup::{self, Prepared};
use crate::state::AppState;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Arc;

pub fn serve(config: Config) -> Result<(), Failure> {
    crate::logging::init(&config.log);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    setup::ensure_dir(&config.data_dir()).map_err(Failure::runtime)?;
    // Held for the server's life: `backup restore` refuses while it is (helper BACKUP).
    let _data_lock = crate::backup::lock::try_lock(&config.data_dir())
        .map_err(Failure::runtime)?
        .ok_or_else(|| {
            Failure::runtime(format!(
                "another plauder server is running on {} (it holds {})",
                config.data_dir().display(),
                crate::backup::lock::FILE_NAME
            ))
        })?;
    let prepared = setup::prepare(&config, clock.as_ref()).map_err(Failure::runtime)?;
    announce(&config, &prepared, None)?;
    let state = AppState::new(config, prepared, clock).map_err(Failure::runtime)?;
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    actix_web::rt::System::new().block_on(async move {
        let (running, servers) = crate::server::start(state.clone(), workers)
            .map_err(|e| Failure::runtime(format!("cannot listen: {e}")))?;
        spawn_reload_on_sighup(state.clone());
        // Retention and backup jobs on a thread of their own (`jobs::scheduler`).
        crate::jobs::scheduler::start(state.clone())
            .map_err(|e| Failure::runtime(format!("cannot start the scheduled jobs: {e}")))?;
        for addr in &running.addrs {
            tracing::info!(%addr, "serving HTTPS");
        }
        if let Some(addr) = running.redirect_addr {
            tracing::info!(%addr, "redirecting plain HTTP to HTTPS");
        }
        if let Some(addr) = running.metrics_addr {
            tracing::info!(%addr, "serving Prometheus metrics at /metrics (plain HTTP)");
        }
        super::notify::notify("READY=1\nSTATUS=serving HTTPS");
        let mut servers = servers.into_iter();
        let main = servers.next();
        for extra in servers {
            actix_web::rt::spawn(extra);
        }
        if let Some(main) = main {
            main.await.map_err(Failure::runtime)?;
        }
        Ok(())
    })
}

/// SIGHUP re-reads the certificate and key; open connections keep running.
fn spawn_reload_on_sighup(state: AppState) {
    actix_web::rt::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; certificate reload unavailable");
            return;
        };
        while hangups.recv().await.is_some() {
            match state.certs.reload() {
                Ok(summary) => {
                    tracing::info!(subject = %summary.subject, not_after = %summary.not_after, "TLS certificate reloaded")
                }
                Err(e) => {
                    tracing::error!(error = %e, "TLS certificate reload failed; keeping the old one")
                }
            }
        }
    });
}

pub fn init(config: Config, password_file: Option<PathBuf>) -> Result<(), Failure> {
    crate::logging::init(&config.log);
    let prepared = setup::prepare(&config, &SystemClock).map_err(Failure::runtime)?;
    announce(&config, &prepared, password_file)?;
    println!("plauder is set up in {}", config.data_dir().display());
    Ok(())
}

pub fn migrate(config: Config) -> Result<(), Failure> {
    crate::logging::init(&config.log);
    // The default SQLite file lives in the data dir, which a fresh install may not have yet.
    if config.general.database_url.is_empty() {
        setup::ensure_dir(&config.data_dir()).map_err(Failure::runtime)?;
    }
    let db = crate::db::Db::open(config.database_url().expose()).map_err(Failure::runtime)?;
    let ran = db.migrate().map_err(Failure::runtime)?;
    println!("{ran} migration(s) applied");
    Ok(())
}

/// Tells the person at the terminal what set-up created. The password goes to stdout or to
/// a new root-only file, never through the logger.
fn announce(
    config: &Config,
    prepared: &Prepared,
    password_file: Option<PathBuf>,
) -> Result<(), Failure> {
    if prepared.created_key_ring {
        println!(
            "New key ring: {}\n  It encrypts all personal data. Losing it loses that data: keep a copy apart from backups.",
            config.key_ring_path().display()
        );
    }
    if prepared.created_certificate {
        println!(
            "New self-signed TLS certificate: {}",
            config.tls_paths().0.display()
        );
    }
    let Some((user, password)) = &prepared.first_admin else {
        return Ok(());
    };
    let login = format!("{}/login", config.public_url());
    match password_file {
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(|e| Failure::runtime(format!("cannot create {}: {e}", path.display())))?;
            writeln!(file, "user: {user}\npassword: {password}\nsign in: {login}")
                .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))?;
            println!(
                "First administrator `{user}` created; password written to {}",
                path.display()
            );
        }
        None => {
            let rule = "=".repeat(72);
            println!(
                "{rule}\nFirst administrator created. The password is shown only this once.\n  user:     {user}\n  password: {password}\n  sign in:  {login}\nChange it with: plauder user passwd {user}\n{rule}"
            );
        }
    }
    Ok(())
}
