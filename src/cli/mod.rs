//! The command line: `serve`, `init`, `migrate`, `check`, `user …`, `keys …`, `audit …`,
//! `backup …`, `retention …`.
//! Exit codes: 0 success, 1 runtime failure, 2 bad configuration or usage.

mod audit;
mod backup;
mod check;
mod keys;
mod notify;
mod retention;
mod serve;
mod users;

use crate::config::{self, Config, Overrides};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "plauder",
    version,
    about = "Self-hosted live chat that keeps conversations on your own hardware"
)]
pub struct Cli {
    /// Config file (default: /etc/plauder/plauder.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (database, key ring, self-signed certificate).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// HTTPS listen address; repeat for several.
    #[arg(long, global = true, value_name = "ADDR:PORT")]
    listen: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Set up what is missing and serve HTTPS.
    Serve,
    /// Set up data directory, key ring, certificate, database and first admin; do not serve.
    Init {
        /// Write the first admin's password to this new file (mode 0600) instead of the terminal.
        #[arg(long, value_name = "FILE")]
        admin_password_file: Option<PathBuf>,
    },
    /// Run database migrations only.
    Migrate,
    /// Validate and print the configuration (secrets redacted), then check certificate, key
    /// ring, data directory and database. Exit 1 when a check fails, 2 on a bad configuration.
    Check {
        /// Only validate and print the configuration; look at nothing else.
        #[arg(long)]
        config_only: bool,
    },
    /// Print the commented example configuration (with --data-dir: that key set and active).
    ExampleConfig,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Manage the key ring.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Check, show and prune the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Retention jobs: run now (or show what would go with --dry-run), or show their state.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Encrypted backups: create, list, verify, restore.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
}

/// A failure that ends the command, with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn runtime(message: impl std::fmt::Display) -> Self {
        Self {
            code: 1,
            message: message.to_string(),
        }
    }
}

impl From<config::ConfigError> for Failure {
    fn from(e: config::ConfigError) -> Self {
        Self {
            code: 2,
            message: format!("config error: {e}"),
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("plauder: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn load_config(cli: &Cli) -> Result<Config, Failure> {
    let overrides = Overrides {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        listen: cli.listen.clone(),
    };
    Ok(config::load(&overrides, std::env::vars())?)
}

fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::ExampleConfig = cli.command {
        // With --data-dir (the packages: /var/lib/plauder) that key is set and active.
        let text = match &cli.data_dir {
            Some(dir) => config::example::example_toml_for_data_dir(&dir.display().to_string()),
            None => config::example::example_toml(),
        };
        print!("{text}");
        return Ok(());
    }
    let config = load_config(&cli)?;
    match cli.command {
        Command::Serve => serve::serve(config),
        Command::Init {
            admin_password_file,
        } => serve::init(config, admin_password_file),
        Command::Migrate => serve::migrate(config),
        Command::Check { config_only } => {
            use crate::clock::Clock;
            check::run(&config, config_only, crate::clock::SystemClock.naive())
        }
        Command::ExampleConfig => Ok(()),
        Command::User(cmd) => users::run(config, cmd),
        Command::Keys(cmd) => keys::run(config, cmd),
        Command::Audit(cmd) => audit::run(config, cmd),
        Command::Retention(cmd) => retention::run(config, cmd),
        Command::Backup(cmd) => backup::run(config, cmd),
    }
}
