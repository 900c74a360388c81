//! `keys rotate`, `keys show`, and `keys export|import` (the ring sealed under a passphrase,
//! `crate::backup::keyfile`; kept apart from the backups).

use super::Failure;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::KeyRing;
use clap::Subcommand;
use std::path::PathBuf;

mod transfer;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new key; new writes use it, old data stays readable.
    Rotate,
    /// Show the ring id and key ids (never the keys).
    Show,
    /// Write the key ring encrypted under a passphrase (Argon2id). Keep the file apart from
    /// the backups: whoever has both has everything.
    Export {
        /// The new file (mode 0600; refused when it exists).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Read the passphrase (first line) from this file instead of asking on the terminal.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Read a key ring export back into place (needed before restoring a backup elsewhere).
    Import {
        /// The file written by `keys export`.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Read the passphrase (first line) from this file instead of asking on the terminal.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Replace an existing, different key ring (it is kept as `<ring>.replaced-<time>`).
        #[arg(long)]
        force: bool,
    },
}

pub fn run(config: Config, cmd: KeysCommand) -> Result<(), Failure> {
    let path = config.key_ring_path();
    match cmd {
        KeysCommand::Rotate => {
            let id = KeyRing::rotate(&path, &SystemClock.now().to_rfc3339())
                .map_err(Failure::runtime)?;
            println!(
                "key {id} added to {} and active for new writes; restart plauder to use it",
                path.display()
            );
        }
        KeysCommand::Show => {
            let info = KeyRing::load(&path).map_err(Failure::runtime)?.info();
            println!(
                "ring {}: {} key(s), active key {}",
                info.ring_id, info.key_count, info.active_key
            );
        }
        KeysCommand::Export {
            to,
            passphrase_file,
        } => transfer::export(&path, &to, passphrase_file.as_deref())?,
        KeysCommand::Import {
            from,
            passphrase_file,
            force,
        } => transfer::import(&path, &from, passphrase_file.as_deref(), force)?,
    }
    Ok(())
}
