//! `audit verify|head|prune`: checks the audit chain (exit 1 and the first broken entry
//! when it does not hold), prints its head, prunes by the configured retention.

use super::Failure;
use crate::audit::{self, ChainState, Head};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::Db;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain; name the first edited, deleted, reordered or forged entry.
    Verify {
        /// A head written to the system log earlier ("SEQ:MAC"): also show a cut-off tail.
        #[arg(long, value_name = "SEQ:MAC")]
        expect_head: Option<String>,
    },
    /// Print the newest entry's seq and MAC (what the daily job writes to the system log).
    Head,
    /// Delete entries older than the retention (config `audit.retention_days`) now.
    Prune {
        /// Days to keep instead of the configured retention.
        #[arg(long)]
        days: Option<u32>,
    },
}

fn open(config: &Config) -> Result<(KeyRing, Db), Failure> {
    let ring = KeyRing::load(&config.key_ring_path())
        .map_err(|e| Failure::runtime(format!("{e} (run `plauder init` first)")))?;
    let db = Db::open(config.database_url().expose()).map_err(Failure::runtime)?;
    db.migrate().map_err(Failure::runtime)?;
    Ok((ring, db))
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

fn parse_head(text: &str) -> Result<Head, Failure> {
    let bad = || {
        usage(format!(
            "--expect-head: `{text}` is not SEQ:MAC (MAC in hex)"
        ))
    };
    let (seq, mac) = text.trim().split_once(':').ok_or_else(bad)?;
    let seq = seq.parse::<i64>().map_err(|_| bad())?;
    if mac.len() != 64 || !mac.is_ascii() {
        return Err(bad());
    }
    let mac = (0..mac.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&mac[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| bad())?;
    Ok(Head { seq, mac })
}

pub fn run(config: Config, cmd: AuditCommand) -> Result<(), Failure> {
    let expected = match &cmd {
        AuditCommand::Verify {
            expect_head: Some(h),
        } => Some(parse_head(h)?),
        _ => None,
    };
    let (ring, db) = open(&config)?;
    let mut conn = db.conn().map_err(Failure::runtime)?;
    match cmd {
        AuditCommand::Verify { .. } => {
            match audit::verify(&mut conn, &ring, expected.as_ref()).map_err(Failure::runtime)? {
                ChainState::Intact {
                    entries,
                    first,
                    head,
                } => {
                    let range = first.map_or("none".to_string(), |f| format!("{f}..{}", head.seq));
                    println!(
                        "audit log intact: {entries} entries (seq {range}), head {}:{}",
                        head.seq,
                        head.mac_hex()
                    );
                    Ok(())
                }
                ChainState::Broken(b) => Err(Failure::runtime(format!(
                    "audit log BROKEN at entry {}: {b}",
                    b.seq
                ))),
            }
        }
        AuditCommand::Head => {
            let head = audit::head(&mut conn).map_err(Failure::runtime)?;
            println!("{}:{}", head.seq, head.mac_hex());
            Ok(())
        }
        AuditCommand::Prune { days } => {
            let days = days.unwrap_or(config.audit.retention_days);
            if days == 0 {
                return Err(usage("--days must be at least 1"));
            }
            let pruned = audit::prune(&mut conn, &ring, SystemClock.naive(), days)
                .map_err(Failure::runtime)?;
            match pruned.through {
                Some(seq) => println!(
                    "{} audit entries older than {days} days pruned (through seq {seq})",
                    pruned.entries
                ),
                None => println!("no audit entries older than {days} days"),
            }
            Ok(())
        }
    }
}
