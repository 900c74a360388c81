//! `backup create|list|verify|restore`: encrypted backups (`crate::backup`). Exit 1 when a
//! backup cannot be made, is damaged or altered, or a restore is refused.

use super::Failure;
use crate::backup::{self, records::Trigger};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::Db;
use clap::Subcommand;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Make an encrypted backup in the backup directory now, verify it, then rotate.
    Create,
    /// List the backups in the backup directory with time, size and verify state.
    List,
    /// Decrypt a backup, check its integrity and print the rows per table.
    Verify {
        /// The backup file.
        file: PathBuf,
    },
    /// Put a backup back (refused while a server runs on this data), then erase again
    /// everyone erased since and purge what has expired.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
}

fn ring(config: &Config) -> Result<KeyRing, Failure> {
    KeyRing::load(&config.key_ring_path()).map_err(|e| {
        Failure::runtime(format!(
            "{e} (a backup can only be read with the key ring that made it: `plauder keys import --from FILE`)"
        ))
    })
}

fn open_db(config: &Config) -> Result<Db, Failure> {
    let db = Db::open(config.database_url().expose()).map_err(Failure::runtime)?;
    db.migrate().map_err(Failure::runtime)?;
    Ok(db)
}

fn print_tables(tables: &BTreeMap<String, i64>) {
    let width = tables.keys().map(String::len).max().unwrap_or(5);
    for (table, rows) in tables {
        if !table.starts_with("__") {
            println!("  {table:<width$}  {rows:>10}");
        }
    }
}

pub fn run(config: Config, cmd: BackupCommand) -> Result<(), Failure> {
    match cmd {
        BackupCommand::Create => {
            let ring = ring(&config)?;
            let db = open_db(&config)?;
            let (created, verified) =
                backup::create_recorded(&config, &db, &ring, SystemClock.now(), Trigger::Cli)
                    .map_err(|e| Failure::runtime(format!("backup failed: {e}")))?;
            verified.map_err(|e| {
                Failure::runtime(format!(
                    "backup {} was written but does not verify: {e}",
                    created.path.display()
                ))
            })?;
            println!(
                "backup written and verified: {} ({} bytes)",
                created.path.display(),
                created.bytes
            );
            let rotated = backup::rotate::rotate(&config.backup_dir(), &config.backup)
                .map_err(Failure::runtime)?;
            for path in rotated {
                println!("rotated out: {}", path.display());
            }
            Ok(())
        }
        BackupCommand::List => {
            let dir = config.backup_dir();
            let listed = backup::list(&dir).map_err(Failure::runtime)?;
            let names: Vec<String> = listed.iter().map(|l| l.name.clone()).collect();
            let runs = Db::open(config.database_url().expose())
                .and_then(|db| {
                    db.migrate()?;
                    backup::records::for_files(&mut *db.conn()?, &names)
                })
                .unwrap_or_default();
            if listed.is_empty() {
                println!("no backups in {}", dir.display());
            }
            for l in listed {
                let when = l.created.map_or("damaged header".to_string(), |t| {
                    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                });
                let state =
                    runs.iter()
                        .find(|r| r.file_name == l.name)
                        .map_or("not recorded", |r| match r.verify_ok {
                            Some(true) => "verified",
                            Some(false) => "VERIFY FAILED",
                            None => "not verified",
                        });
                println!("{}  {when}  {:>12} bytes  {state}", l.name, l.bytes);
            }
            Ok(())
        }
        BackupCommand::Verify { file } => {
            let ring = ring(&config)?;
            let work = config.backup_dir();
            let verified = backup::verify(&file, &ring, &work)
                .map_err(|e| Failure::runtime(format!("backup {} REFUSED: {e}", file.display())))?;
            println!(
                "backup {} is intact: {} database, made {}, {} erasure journal row(s)",
                file.display(),
                verified.header.backend.name(),
                verified.manifest.created,
                verified.journal_rows
            );
            print_tables(&verified.tables);
            // Recorded for the admin page when this database knows the file.
            if let (Some(name), Ok(db)) = (
                file.file_name().and_then(|n| n.to_str()),
                Db::open(config.database_url().expose()),
            ) {
                if db.migrate().is_ok() {
                    if let Ok(mut conn) = db.conn() {
                        let _ = backup::records::set_verified(
                            &mut conn,
                            name,
                            SystemClock.naive(),
                            true,
                            &format!("ok: {} tables", verified.tables.len()),
                        );
                    }
                }
            }
            Ok(())
        }
        BackupCommand::Restore { file } => {
            let ring = ring(&config)?;
            let restored = backup::restore::restore(&config, &ring, &file, SystemClock.naive())
                .map_err(|e| Failure::runtime(format!("restore refused or failed: {e}")))?;
            println!(
                "restored {} into {}",
                file.display(),
                config.database_url().redacted()
            );
            print_tables(&restored.tables);
            println!(
                "erasure journal: {} row(s) replayed; erased again: {} conversation(s), {} contact(s)",
                restored.journal_rows, restored.conversations_erased, restored.contacts_erased
            );
            println!("expired data purged: {}", restored.purged);
            Ok(())
        }
    }
}
