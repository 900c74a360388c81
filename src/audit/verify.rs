//! Checks the whole stored chain and names the first entry that breaks it. Reads in
//! seq-ordered batches (keyset, no OFFSET) outside any write transaction, so appends go on
//! meanwhile; entries appended after the check started are checked as far as they are seen.

use super::Head;
use super::chain::{ChainKey, GENESIS};
use crate::crypto::KeyRing;
use crate::db::audit as table;
use crate::db::{DbConn, DbResult};

const BATCH: i64 = 2_000;

/// What is wrong at the first broken place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The pruning anchor's own MAC does not match: it was edited or forged.
    AnchorAltered,
    /// The entry with this seq is not there (deleted), or the chain does not start where
    /// the anchor says; `found` is the seq that came instead, if any.
    Missing { found: Option<i64> },
    /// The entry's MAC does not match its content and place: edited, moved or forged.
    Altered,
    /// An entry lies before the start of the chain (seq 1 or the anchor): forged, or left
    /// behind by an edited anchor.
    BeforeStart,
    /// The chain ends before the head recorded elsewhere (cut off), or that head's MAC
    /// differs.
    HeadMismatch,
}

/// The first broken entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub problem: Problem,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seq = self.seq;
        match &self.problem {
            Problem::AnchorAltered => write!(
                f,
                "the anchor of pruned entries (up to entry {seq}) was altered or forged"
            ),
            Problem::Missing { found: Some(found) } => write!(
                f,
                "entry {seq} is missing (deleted or moved); entry {found} follows instead"
            ),
            Problem::Missing { found: None } => {
                write!(f, "entry {seq} is missing (deleted)")
            }
            Problem::Altered => write!(
                f,
                "entry {seq} does not match its MAC: edited, reordered or forged"
            ),
            Problem::BeforeStart => write!(
                f,
                "entry {seq} lies before the start of the chain: forged or left over"
            ),
            Problem::HeadMismatch => write!(
                f,
                "entry {seq} differs from the recorded head or is missing: the log was cut off"
            ),
        }
    }
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainState {
    /// Every entry checks out; `first` is the oldest kept seq (None: empty).
    Intact {
        entries: u64,
        first: Option<i64>,
        head: Head,
    },
    Broken(Break),
}

/// Checks the chain from its anchor (or seq 1) to the newest entry. With `expected`
/// (a head written to the system log earlier), also checks that the chain still holds
/// that entry with that MAC, which shows a tail cut off together with its entries.
pub fn verify(conn: &mut DbConn, ring: &KeyRing, expected: Option<&Head>) -> DbResult<ChainState> {
    check(conn, ring, expected, false)
}

/// The walk behind both checks; with `resume`, it starts at `expected` (the head of an
/// earlier intact check) once that is still stored with its MAC, else at the chain's start.
fn check(
    conn: &mut DbConn,
    ring: &KeyRing,
    expected: Option<&Head>,
    resume: bool,
) -> DbResult<ChainState> {
    let key = ChainKey::new(ring);
    let start = match table::anchor(conn)? {
        Some(anchor) if !key.anchor_is_valid(&anchor) => {
            return Ok(broken(anchor.seq, Problem::AnchorAltered));
        }
        Some(anchor) => Head {
            seq: anchor.seq,
            mac: anchor.mac,
        },
        None => Head {
            seq: 0,
            mac: GENESIS.to_vec(),
        },
    };
    let mut prev = start.clone();
    let mut seen_expected = false;
    if let Some(known) = expected.filter(|k| resume && k.seq > start.seq) {
        let stored = table::by_seq(conn, known.seq)?;
        if stored.is_some_and(|row| crate::crypto::same_secret(&row.mac, &known.mac)) {
            prev = known.clone();
            seen_expected = true;
        }
    }
    loop {
        let rows = table::after(conn, prev.seq, BATCH)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if row.seq != prev.seq + 1 {
                return Ok(broken(
                    prev.seq + 1,
                    Problem::Missing {
                        found: Some(row.seq),
                    },
                ));
            }
            if !key.entry_is_valid(&row, &prev.mac) {
                return Ok(broken(row.seq, Problem::Altered));
            }
            if let Some(e) = expected.filter(|e| e.seq == row.seq) {
                if !crate::crypto::same_secret(&e.mac, &row.mac) {
                    return Ok(broken(row.seq, Problem::HeadMismatch));
                }
                seen_expected = true;
            }
            prev = Head {
                seq: row.seq,
                mac: row.mac,
            };
        }
    }
    // The walk allows no gap from the start on: the kept entries are start+1 ..= prev.
    let entries = u64::try_from(prev.seq - start.seq).unwrap_or(0);
    let first = (entries > 0).then_some(start.seq + 1);
    // Rows below the anchor or before seq 1 are not reached by the walk above.
    let oldest_kept = start.seq + 1;
    let below = table::page(conn, &Default::default(), Some(oldest_kept), 1)?;
    if let Some(row) = below.first() {
        return Ok(broken(row.seq, Problem::BeforeStart));
    }
    if let Some(e) = expected {
        // A recorded head older than the oldest kept entry was pruned since; one that was
        // not seen otherwise means the tail was cut off.
        if !seen_expected && e.seq >= oldest_kept {
            return Ok(broken(e.seq, Problem::HeadMismatch));
        }
    }
    Ok(ChainState::Intact {
        entries,
        first,
        head: prev,
    })
}

/// What the audit page remembers between views (in memory, per process): the head it last
/// found intact and how far its rolling re-check of older entries got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub head: Option<Head>,
    /// The seq the next re-check continues after (0: from the chain's start).
    pub sweep: i64,
}

/// A check whose cost per call is bounded, for a page viewed often: the entries appended
/// since `cp.head` (on the first call, the newest `BATCH` entries), the anchor, and the next
/// `BATCH` older entries of a rolling re-check, so an entry edited after it was checked
/// shows within ⌈entries / BATCH⌉ calls. Returns the state and the checkpoint for the next
/// call. `verify` (the command line, the daily job) walks the whole chain every time.
pub fn verify_bounded(
    conn: &mut DbConn,
    ring: &KeyRing,
    cp: &Checkpoint,
) -> DbResult<(ChainState, Checkpoint)> {
    let known = match &cp.head {
        Some(head) => Some(head.clone()),
        // Nothing checked yet in this process: start at the tail; the re-check covers
        // the older entries as the page is used.
        None => match table::last(conn)? {
            Some((last, _)) => table::by_seq(conn, last - BATCH)?.map(|row| Head {
                seq: row.seq,
                mac: row.mac,
            }),
            None => None,
        },
    };
    let state = check(conn, ring, known.as_ref(), true)?;
    let ChainState::Intact { head, .. } = &state else {
        return Ok((state, cp.clone()));
    };
    match recheck(conn, ring, cp.sweep)? {
        Err(b) => Ok((ChainState::Broken(b), cp.clone())),
        Ok(sweep) => {
            let next = Checkpoint {
                head: Some(head.clone()),
                sweep,
            };
            Ok((state, next))
        }
    }
}

/// One step of the rolling re-check: up to `BATCH` entries after `after`, each against its
/// stored predecessor. The first break, or the seq to continue after (0 once the end was
/// reached: the next step starts over).
fn recheck(conn: &mut DbConn, ring: &KeyRing, after: i64) -> DbResult<Result<i64, Break>> {
    let key = ChainKey::new(ring);
    let start = match table::anchor(conn)? {
        Some(anchor) => Head {
            seq: anchor.seq,
            mac: anchor.mac,
        },
        None => Head {
            seq: 0,
            mac: GENESIS.to_vec(),
        },
    };
    // Pruned past it since: start over.
    let mut prev = match table::by_seq(conn, after)? {
        Some(row) if after > start.seq => Head {
            seq: row.seq,
            mac: row.mac,
        },
        _ => start,
    };
    let rows = table::after(conn, prev.seq, BATCH)?;
    let done = i64::try_from(rows.len()).unwrap_or(BATCH) < BATCH;
    for row in rows {
        if row.seq != prev.seq + 1 {
            let found = Some(row.seq);
            return Ok(Err(Break {
                seq: prev.seq + 1,
                problem: Problem::Missing { found },
            }));
        }
        if !key.entry_is_valid(&row, &prev.mac) {
            return Ok(Err(Break {
                seq: row.seq,
                problem: Problem::Altered,
            }));
        }
        prev = Head {
            seq: row.seq,
            mac: row.mac,
        };
    }
    Ok(Ok(if done { 0 } else { prev.seq }))
}

fn broken(seq: i64, problem: Problem) -> ChainState {
    ChainState::Broken(Break { seq, problem })
}
