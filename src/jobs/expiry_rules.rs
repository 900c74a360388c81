//! Which conversations the expiry removes, as three rules, each found in pages by id
//! (`next`) and re-checked inside the deleting transaction (`still`): a conversation that had
//! activity since it was found stays.
//!
//! "Last activity" is `conversations.updated_at`: the last message, close, take or
//! transfer (withdrawal closes the conversation, so it counts from the withdrawal).

use crate::db::schema::{consents, conversations as conv};
use crate::db::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The widget's retention period: last activity at or before `cutoff`. Offline messages
    /// (conversations left while no operator was online) follow the same period.
    Period { widget: i64, cutoff: NaiveDateTime },
    /// A consent of the widget withdrawn at or before `before`: `now` under the delete-now
    /// policy (leftovers from a time the widget kept withdrawn chats), the longest period
    /// (36 months) for a widget that keeps conversations "never" but withdrawn ones until
    /// retention — a withdrawn consent must end in deletion some day.
    Withdrawn { widget: i64, before: NaiveDateTime },
    /// No consent at all (a chat that never got one) and no activity since `cutoff`.
    Unconsented { cutoff: NaiveDateTime },
}

impl Rule {
    /// The extra kind counted for conversations this rule removes.
    pub fn kind(self) -> Option<&'static str> {
        match self {
            Self::Period { .. } => None,
            Self::Withdrawn { .. } => Some("withdrawn"),
            Self::Unconsented { .. } => Some("unconsented"),
        }
    }
}

/// A conversation found by a rule: what the counts and live events need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub offline: bool,
    /// Not closed: it may sit in an operator's queue, which is told when it goes.
    pub open: bool,
    pub contact: Option<i64>,
}

type Raw = (i64, bool, String, Option<i64>);

fn candidates(rows: Vec<Raw>) -> Vec<Candidate> {
    rows.into_iter()
        .map(|(id, offline, status, contact)| Candidate {
            id,
            offline,
            open: status != "closed",
            contact,
        })
        .collect()
}

fn details(conn: &mut DbConn, ids: &[i64]) -> DbResult<Vec<Candidate>> {
    let rows = conv::table
        .filter(conv::id.eq_any(ids))
        .order(conv::id.asc())
        .select((conv::id, conv::offline, conv::status, conv::contact_id))
        .load::<Raw>(conn)?;
    Ok(candidates(rows))
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Up to `limit` conversations the rule matches with an id above `after`, by id.
pub fn next(conn: &mut DbConn, rule: Rule, after: i64, limit: i64) -> DbResult<Vec<Candidate>> {
    match rule {
        Rule::Period { widget, cutoff } => {
            let rows = conv::table
                .filter(conv::widget_id.eq(widget))
                .filter(conv::updated_at.le(cutoff))
                .filter(conv::id.gt(after))
                .order(conv::id.asc())
                .limit(limit)
                .select((conv::id, conv::offline, conv::status, conv::contact_id))
                .load::<Raw>(conn)?;
            Ok(candidates(rows))
        }
        Rule::Withdrawn { widget, before } => {
            let mut ids: Vec<i64> = consents::table
                .filter(consents::widget_id.eq(widget))
                .filter(consents::withdrawn_at.le(before))
                .filter(consents::conversation_id.gt(after))
                .order(consents::conversation_id.asc())
                .limit(limit)
                .select(consents::conversation_id)
                .load(conn)?;
            ids.dedup();
            details(conn, &ids)
        }
        Rule::Unconsented { cutoff } => {
            let sql = match conn {
                DbConn::Pg(_) => {
                    "SELECT c.id AS id FROM conversations c WHERE c.updated_at <= $1 AND c.id > $2 \
                     AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.conversation_id = c.id) \
                     ORDER BY c.id LIMIT $3"
                }
                DbConn::Sqlite(_) => {
                    "SELECT c.id AS id FROM conversations c WHERE c.updated_at <= ? AND c.id > ? \
                     AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.conversation_id = c.id) \
                     ORDER BY c.id LIMIT ?"
                }
            };
            let ids: Vec<i64> = diesel::sql_query(sql)
                .bind::<diesel::sql_types::Timestamp, _>(cutoff)
                .bind::<diesel::sql_types::BigInt, _>(after)
                .bind::<diesel::sql_types::BigInt, _>(limit)
                .load::<IdRow>(conn)?
                .into_iter()
                .map(|r| r.id)
                .collect();
            details(conn, &ids)
        }
    }
}

/// Of `ids`, those the rule still matches now; call inside the deleting transaction.
pub fn still(conn: &mut DbConn, rule: Rule, ids: &[i64]) -> DbResult<Vec<i64>> {
    match rule {
        Rule::Period { cutoff, .. } => Ok(conv::table
            .filter(conv::id.eq_any(ids))
            .filter(conv::updated_at.le(cutoff))
            .order(conv::id.asc())
            .select(conv::id)
            .load(conn)?),
        Rule::Withdrawn { before, .. } => {
            let mut found: Vec<i64> = consents::table
                .filter(consents::conversation_id.eq_any(ids))
                .filter(consents::withdrawn_at.le(before))
                .order(consents::conversation_id.asc())
                .select(consents::conversation_id)
                .load(conn)?;
            found.dedup();
            Ok(found)
        }
        Rule::Unconsented { cutoff } => {
            let quiet: Vec<i64> = conv::table
                .filter(conv::id.eq_any(ids))
                .filter(conv::updated_at.le(cutoff))
                .order(conv::id.asc())
                .select(conv::id)
                .load(conn)?;
            let consented: Vec<i64> = consents::table
                .filter(consents::conversation_id.eq_any(&quiet))
                .select(consents::conversation_id)
                .load(conn)?;
            Ok(quiet
                .into_iter()
                .filter(|id| !consented.contains(id))
                .collect())
        }
    }
}
