//! The retention purges that need no running server: conversation expiry (`expiry`) and
//! technical details (`technical`). The scheduled jobs run them through `Ctx::purge` (with
//! the claim renewed between batches and open conversations announced to the consoles);
//! a restore runs them through [`purge_expired`] on the restored database before any
//! server serves it, with only the database, the key ring and a time. Both delete the very
//! same rows for the same `now`: one code path, so a restore can never keep what the job
//! would have removed.

use super::{Counts, JobError, Mode, PAUSE, claim::Claim, expiry, technical};
use crate::audit::{self, Action, Actor, Entry, Object, ObjectKind};
use crate::chat::Event;
use crate::crypto::KeyRing;
use crate::db::conversations::ConversationId;
use crate::db::{Db, DbConn, write_transaction};
use crate::state::AppState;
use chrono::NaiveDateTime;

/// What a purge's work gets: one fixed `now` for the whole run (every cutoff is computed
/// from it), the mode, the counts so far, and for a scheduled run the server.
pub struct Purge<'a> {
    pub now: NaiveDateTime,
    pub mode: Mode,
    pub counts: Counts,
    /// The running server (clock, bus) and the run's claim; `None` in a restore.
    live: Option<(&'a AppState, Option<&'a Claim>)>,
}

impl<'a> Purge<'a> {
    pub(super) fn scheduled(
        state: &'a AppState,
        claim: Option<&'a Claim>,
        now: NaiveDateTime,
        mode: Mode,
        counts: Counts,
    ) -> Self {
        Self {
            now,
            mode,
            counts,
            live: Some((state, claim)),
        }
    }

    /// Between two batches: renews the lease (a lost claim stops the run) and pauses.
    pub(super) fn between_batches(&mut self, conn: &mut DbConn) -> Result<(), JobError> {
        if let Some((state, Some(claim))) = self.live {
            if !super::claim::renew(conn, claim, state.clock.naive())? {
                return Err(JobError::LostClaim);
            }
            std::thread::sleep(PAUSE);
        }
        Ok(())
    }

    pub(super) fn dry(&self) -> bool {
        self.mode == Mode::DryRun
    }

    /// The time an erasure is journalled at: the clock's, or the restore's `now`.
    pub(super) fn erased_at(&self) -> NaiveDateTime {
        self.live.map_or(self.now, |(state, _)| state.clock.naive())
    }

    /// An open conversation went: consoles drop it from their queues (ids only on the bus).
    /// A restore has no consoles to tell.
    pub(super) fn announce(&self, conversation: ConversationId) {
        if let Some((state, _)) = self.live {
            state
                .hub
                .bus
                .publish(Event::ConversationChanged { conversation });
        }
    }
}

/// Runs the expiry and the technical-data purge on `db` as of `now`, deleting what has
/// expired, and records one `job_run` audit entry (actor System, counts only) when anything
/// went. For a restored database before any server serves it; the scheduled jobs remove
/// the same rows. Returns the counts per kind.
pub fn purge_expired(db: &Db, ring: &KeyRing, now: NaiveDateTime) -> Result<Counts, JobError> {
    let mut conn = db.conn()?;
    let mut purge = Purge {
        now,
        mode: Mode::Run,
        counts: Counts::default(),
        live: None,
    };
    expiry::run(&mut purge, &mut conn)?;
    technical::run(&mut purge, &mut conn)?;
    let counts = purge.counts;
    if counts.iter().any(|(_, n)| n > 0) {
        write_transaction(&mut conn, |conn| {
            let entry = Entry::new(
                now,
                Actor::System,
                Action::JobRun,
                Object::new(ObjectKind::Job, None),
            )
            .reason(format!("expiry after restore: {}", counts.summary()));
            audit::record(conn, ring, &entry).map(|_| ())
        })?;
        // Deleted rows leave SQLite's WAL too (see db::erasure::staff::checkpoint).
        let _ = crate::db::erasure::staff::checkpoint(&mut conn);
    }
    Ok(counts)
}
