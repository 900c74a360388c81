//! The audit log's own retention, and the head written to the system log. Pruning deletes
//! the oldest entries and leaves an anchor (the last pruned entry's seq and MAC, itself
//! MAC'd), so the rest still verifies. It never prunes across a broken entry: evidence of
//! tampering stays until someone has looked at it.

use super::chain::{ChainKey, truncate};
use super::{Action, Actor, ChainState, Entry, Head, Object, ObjectKind};
use crate::crypto::KeyRing;
use crate::db::audit::{self as table, Anchor};
use crate::db::{DbConn, DbError, DbResult};
use chrono::{NaiveDateTime, TimeDelta};

/// What a prune removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub entries: usize,
    /// The seq of the last pruned entry, if any went.
    pub through: Option<i64>,
}

/// Deletes entries older than `retention_days` before `now` (the oldest run of them: an
/// entry is kept while an older-dated one follows it) and records the prune in the chain.
pub fn prune(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    retention_days: u32,
) -> DbResult<Pruned> {
    let cutoff = now - TimeDelta::days(i64::from(retention_days));
    crate::db::write_transaction(conn, |conn| {
        table::lock_chain(conn)?;
        let last_old = match table::first_since(conn, cutoff)? {
            Some(first_new) => first_new - 1,
            // Everything is older: all entries go and the anchor holds the head.
            None => super::head(conn)?.seq,
        };
        let anchored = table::anchor(conn)?.map_or(0, |a| a.seq);
        if last_old <= anchored {
            return Ok(Pruned {
                entries: 0,
                through: None,
            });
        }
        if let ChainState::Broken(b) = super::verify(conn, ring, None)? {
            if b.seq <= last_old + 1 {
                return Err(DbError::Corrupt(format!(
                    "audit log not pruned: {b}; run `plauder audit verify`"
                )));
            }
        }
        let row = table::by_seq(conn, last_old)?
            .ok_or_else(|| DbError::Corrupt(format!("audit entry {last_old} is missing")))?;
        let pruned_at = truncate(now);
        let anchor = Anchor {
            seq: row.seq,
            anchor_mac: ChainKey::new(ring).anchor_mac(row.seq, &row.mac, pruned_at),
            mac: row.mac,
            pruned_at,
        };
        let entries = table::delete_through(conn, last_old)?;
        table::set_anchor(conn, &anchor)?;
        let object = Object::new(ObjectKind::AuditLog, Some(last_old));
        super::record(
            conn,
            ring,
            &Entry::new(now, Actor::System, Action::AuditPruned, object),
        )?;
        Ok(Pruned {
            entries,
            through: Some(last_old),
        })
    })
}

/// Writes the chain's head (seq and MAC) to the system log, for the daily job: compared
/// with a later `plauder audit verify --expect-head SEQ:MAC`, it shows a cut-off tail.
pub fn log_head(conn: &mut DbConn) -> DbResult<Head> {
    let head = super::head(conn)?;
    tracing::info!(
        target: "plauder::audit",
        seq = head.seq,
        mac = %head.mac_hex(),
        "audit log head"
    );
    Ok(head)
}
