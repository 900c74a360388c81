//! The audit log's tables: rows as stored, the head, the anchor left by pruning, filtered
//! pages by seq. Computes no MAC (that is `audit::chain`) and never updates a row: the
//! log is append-only; only retention deletes its oldest rows.

use super::schema::{audit_anchor, audit_log};
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// Serialises appends of every node on one PostgreSQL (`pg_advisory_xact_lock`).
const CHAIN_LOCK: i64 = 0x706c_6175_6465_7202;

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct Row {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub outcome: String,
    pub reason: Option<String>,
    pub mac: Vec<u8>,
    /// Fixed words naming what the action touched (`audit::Field`), comma-separated.
    pub detail: Option<String>,
}

/// Where the remaining chain starts after pruning.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_anchor)]
pub struct Anchor {
    pub seq: i64,
    pub mac: Vec<u8>,
    pub pruned_at: NaiveDateTime,
    pub anchor_mac: Vec<u8>,
}

/// Takes the chain lock until the end of the current transaction. On SQLite the caller's
/// `BEGIN IMMEDIATE` (`db::write_transaction`) already holds the only write lock.
pub fn lock_chain(conn: &mut DbConn) -> DbResult<()> {
    if let DbConn::Pg(c) = conn {
        c.batch_execute(&format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))?;
    }
    Ok(())
}

/// The last entry's seq and MAC.
pub fn last(conn: &mut DbConn) -> DbResult<Option<(i64, Vec<u8>)>> {
    Ok(audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::mac))
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConn, row: &Row) -> DbResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::seq.eq(row.seq),
            audit_log::at.eq(row.at),
            audit_log::actor.eq(&row.actor),
            audit_log::actor_id.eq(row.actor_id),
            audit_log::action.eq(&row.action),
            audit_log::object_type.eq(&row.object_type),
            audit_log::object_id.eq(row.object_id),
            audit_log::outcome.eq(&row.outcome),
            audit_log::reason.eq(row.reason.as_deref()),
            audit_log::mac.eq(&row.mac),
            audit_log::detail.eq(row.detail.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn anchor(conn: &mut DbConn) -> DbResult<Option<Anchor>> {
    Ok(audit_anchor::table
        .find(1_i64)
        .select(Anchor::as_select())
        .first(conn)
        .optional()?)
}

/// Replaces the anchor; call with the chain lock held.
pub fn set_anchor(conn: &mut DbConn, anchor: &Anchor) -> DbResult<()> {
    // Update, else insert: the shared connection has no portable upsert.
    let updated = diesel::update(audit_anchor::table.find(1_i64))
        .set((
            audit_anchor::seq.eq(anchor.seq),
            audit_anchor::mac.eq(&anchor.mac),
            audit_anchor::pruned_at.eq(anchor.pruned_at),
            audit_anchor::anchor_mac.eq(&anchor.anchor_mac),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(audit_anchor::table)
            .values((
                audit_anchor::id.eq(1_i64),
                audit_anchor::seq.eq(anchor.seq),
                audit_anchor::mac.eq(&anchor.mac),
                audit_anchor::pruned_at.eq(anchor.pruned_at),
                audit_anchor::anchor_mac.eq(&anchor.anchor_mac),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Entries after `seq` in chain order, for verification.
pub fn after(conn: &mut DbConn, seq: i64, limit: i64) -> DbResult<Vec<Row>> {
    Ok(audit_log::table
        .filter(audit_log::seq.gt(seq))
        .order(audit_log::seq.asc())
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?)
}

pub fn by_seq(conn: &mut DbConn, seq: i64) -> DbResult<Option<Row>> {
    Ok(audit_log::table
        .find(seq)
        .select(Row::as_select())
        .first(conn)
        .optional()?)
}

/// The first seq whose time is at or after `cutoff`: pruning keeps it and all after it.
pub fn first_since(conn: &mut DbConn, cutoff: NaiveDateTime) -> DbResult<Option<i64>> {
    Ok(audit_log::table
        .filter(audit_log::at.ge(cutoff))
        .select(diesel::dsl::min(audit_log::seq))
        .first::<Option<i64>>(conn)?)
}

/// Deletes every entry up to and including `seq`; call with the chain lock held.
pub fn delete_through(conn: &mut DbConn, seq: i64) -> DbResult<usize> {
    Ok(diesel::delete(audit_log::table.filter(audit_log::seq.le(seq))).execute(conn)?)
}

/// A filter of the admin view; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Actor kind and, for staff, the id.
    pub actor: Option<(String, Option<i64>)>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    /// From this time on (inclusive).
    pub from: Option<NaiveDateTime>,
    /// Before this time (exclusive).
    pub until: Option<NaiveDateTime>,
}

/// Matching entries, newest first, with seq below `before`: keyset pages, no OFFSET.
pub fn page(
    conn: &mut DbConn,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> DbResult<Vec<Row>> {
    let mut query = audit_log::table.select(Row::as_select()).into_boxed();
    if let Some((kind, id)) = &filter.actor {
        query = query.filter(audit_log::actor.eq(kind.clone()));
        if let Some(id) = id {
            query = query.filter(audit_log::actor_id.eq(*id));
        }
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(kind) = &filter.object_type {
        query = query.filter(audit_log::object_type.eq(kind.clone()));
    }
    if let Some(id) = filter.object_id {
        query = query.filter(audit_log::object_id.eq(id));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    if let Some(before) = before {
        query = query.filter(audit_log::seq.lt(before));
    }
    Ok(query.order(audit_log::seq.desc()).limit(limit).load(conn)?)
}
