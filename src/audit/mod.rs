//! The audit log: an append-only, hash-chained record of every access to personal data
//! and every security event. Each entry's MAC covers its content and the previous entry's
//! MAC (`chain`), so an edit, deletion, reordering or forgery made with database access
//! alone shows in `verify`. Appending is part of the action: callers write the entry in
//! the action's own transaction, so when the entry cannot be written the action does not
//! happen. Must never record message text or personal values (see `entry`), and never
//! update a stored entry.
//!
//! Appends are serialised so the chain never forks: on PostgreSQL by a transaction-scoped
//! advisory lock taken before the head is read (several nodes share one database), on
//! SQLite by the write lock of `BEGIN IMMEDIATE` (`db::write_transaction`).

pub mod chain;
mod entry;
pub mod hooks;
mod retention;
mod verify;

pub use entry::{Action, Actor, Entry, Field, MAX_REASON, Object, ObjectKind, Outcome};
pub use retention::{Pruned, log_head, prune};
pub use verify::{Break, ChainState, Checkpoint, Problem, verify, verify_bounded};

use crate::crypto::KeyRing;
use crate::db::audit::{self as table, Row};
use crate::db::{DbConn, DbError, DbResult};
use chain::{ChainKey, GENESIS};

/// The newest entry of the chain (or the anchor, or the genesis when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub mac: Vec<u8>,
}

impl Head {
    pub fn mac_hex(&self) -> String {
        self.mac.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The current head as stored; call with the chain lock held when appending after it.
pub fn head(conn: &mut DbConn) -> DbResult<Head> {
    if let Some((seq, mac)) = table::last(conn)? {
        return Ok(Head { seq, mac });
    }
    Ok(match table::anchor(conn)? {
        Some(anchor) => Head {
            seq: anchor.seq,
            mac: anchor.mac,
        },
        None => Head {
            seq: 0,
            mac: GENESIS.to_vec(),
        },
    })
}

/// Appends `entry` inside the caller's transaction (`db::write_transaction`), which must
/// also hold the action it records: if the action rolls back, so does the entry, and if
/// the entry cannot be written the caller's `?` rolls back the action.
pub fn record(conn: &mut DbConn, ring: &KeyRing, entry: &Entry) -> DbResult<Head> {
    if !crate::db::in_transaction(conn)? {
        return Err(DbError::Conflict(
            "an audit entry is written inside the transaction of its action",
        ));
    }
    if let Some(reason) = &entry.reason {
        if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
            return Err(DbError::Conflict(
                "an audit reason is at most 500 characters without control characters",
            ));
        }
    }
    table::lock_chain(conn)?;
    let prev = head(conn)?;
    let mut row = Row {
        seq: prev.seq + 1,
        at: chain::truncate(entry.at),
        actor: entry.actor.kind().to_string(),
        actor_id: entry.actor.id(),
        action: entry.action.as_str().to_string(),
        object_type: entry.object.kind.as_str().to_string(),
        object_id: entry.object.id,
        outcome: entry.outcome.as_str().to_string(),
        reason: entry.reason.clone(),
        mac: Vec::new(),
        detail: entry.detail(),
    };
    row.mac = ChainKey::new(ring).entry_mac(&row, &prev.mac);
    table::insert(conn, &row)?;
    Ok(Head {
        seq: row.seq,
        mac: row.mac,
    })
}

/// Appends an entry in a transaction of its own: for events that change nothing else
/// (a refused sign-in).
pub fn append(conn: &mut DbConn, ring: &KeyRing, entry: &Entry) -> DbResult<Head> {
    crate::db::write_transaction(conn, |conn| record(conn, ring, entry))
}

/// Records `entry`, then runs `work`, in one transaction: `work` runs only once the entry
/// is written, and a failing `work` takes the entry with it.
pub fn before<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    entry: &Entry,
    work: impl FnOnce(&mut DbConn) -> DbResult<T>,
) -> DbResult<T> {
    crate::db::write_transaction(conn, |conn| {
        record(conn, ring, entry)?;
        work(conn)
    })
}

/// Runs `work`, then records the entry made from its result, in one transaction: for
/// actions whose object id exists only afterwards (a created widget).
pub fn after<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    work: impl FnOnce(&mut DbConn) -> DbResult<T>,
    entry_of: impl FnOnce(&T) -> Entry,
) -> DbResult<T> {
    crate::db::write_transaction(conn, |conn| {
        let value = work(conn)?;
        record(conn, ring, &entry_of(&value))?;
        Ok(value)
    })
}

/// Why an audited read's transaction was rolled back.
enum ReadStop<E> {
    Refused(E),
    Db(DbError),
}

impl<E> From<diesel::result::Error> for ReadStop<E> {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// An audited read: the entry first, then the read, in one transaction, so nothing is read
/// (and nothing shown) unless the entry is written. `work` answers `None` when the object
/// does not exist: then the entry is rolled back and one with outcome `not_found` written
/// instead, so the log does not claim a read that found nothing.
pub fn read<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    entry: Entry,
    work: impl FnOnce(&mut DbConn) -> DbResult<Option<T>>,
) -> DbResult<Option<T>> {
    let done = read_or(
        conn,
        ring,
        entry,
        |conn| Ok(work(conn)?.ok_or(())),
        |_| Outcome::NotFound,
    )?;
    Ok(done.ok())
}

/// `read` for work that can refuse (not found, outside the actor's scope): on `Err(e)` the
/// entry is rolled back with whatever the work did, and one with `outcome_of(&e)` written.
pub fn read_or<T, E>(
    conn: &mut DbConn,
    ring: &KeyRing,
    entry: Entry,
    work: impl FnOnce(&mut DbConn) -> DbResult<Result<T, E>>,
    outcome_of: impl FnOnce(&E) -> Outcome,
) -> DbResult<Result<T, E>> {
    let done = crate::db::write_transaction(conn, |conn| {
        record(conn, ring, &entry).map_err(ReadStop::Db)?;
        match work(conn) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(refused)) => Err(ReadStop::Refused(refused)),
            Err(e) => Err(ReadStop::Db(e)),
        }
    });
    match done {
        Ok(value) => Ok(Ok(value)),
        Err(ReadStop::Db(e)) => Err(e),
        Err(ReadStop::Refused(refused)) => {
            let outcome = outcome_of(&refused);
            append(conn, ring, &entry.outcome(outcome))?;
            Ok(Err(refused))
        }
    }
}
