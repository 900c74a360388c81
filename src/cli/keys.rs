//! `keys rotate` and `keys show`.

use super::Failure;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::KeyRing;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new key; new writes use it, old data stays readable.
    Rotate,
    /// Show the ring id and key ids (never the keys).
    Show,
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
    }
    Ok(())
}
