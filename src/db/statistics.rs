//! What team statistics read: per conversation of a period its ids, flags and times, and the
//! time and sender of its first operator reply. Metadata only: never a message body, a
//! visitor's name or e-mail, nothing that needs the key ring. The figures are made from
//! these rows by `console::statistics`.
//!
//! The first reply is found in SQL (a correlated subquery on the `(conversation_id, seq)`
//! index), so messages never leave the database; the period uses the index on
//! `conversations (created_at, id)`.

use super::schema::widgets;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Timestamp};

/// One conversation of the period, as statistics see it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Facts {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub widget_id: i64,
    /// Who holds (or last held) the conversation.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub operator_id: Option<i64>,
    /// Left as an offline message (nobody was online).
    #[diesel(sql_type = Bool)]
    pub offline: bool,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub closed_at: Option<NaiveDateTime>,
    /// When the first operator message (not a note) was stored.
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub first_reply_at: Option<NaiveDateTime>,
    /// Who sent it.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub first_replier: Option<i64>,
}

/// The select, with the placeholder syntax of each backend filled in.
fn facts_sql(from: &str, until: &str) -> String {
    let first = |column: &str| {
        format!(
            "(SELECT m.{column} FROM messages m WHERE m.conversation_id = c.id \
             AND m.sender = 'operator' ORDER BY m.seq LIMIT 1)"
        )
    };
    format!(
        "SELECT c.id AS id, c.widget_id AS widget_id, c.operator_id AS operator_id, \
         c.offline AS offline, c.created_at AS created_at, c.closed_at AS closed_at, \
         {} AS first_reply_at, {} AS first_replier \
         FROM conversations c WHERE c.created_at >= {from} AND c.created_at < {until} \
         ORDER BY c.id",
        first("created_at"),
        first("staff_id"),
    )
}

/// Every conversation created in `[from, until)`, oldest id first.
pub fn facts(conn: &mut DbConn, from: NaiveDateTime, until: NaiveDateTime) -> DbResult<Vec<Facts>> {
    // Raw SQL for the correlated subqueries; placeholders differ by backend, so each runs
    // on its own connection type.
    Ok(match conn {
        DbConn::Pg(pg) => diesel::sql_query(facts_sql("$1", "$2"))
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(until)
            .load::<Facts>(pg)?,
        DbConn::Sqlite(lite) => diesel::sql_query(facts_sql("?", "?"))
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(until)
            .load::<Facts>(lite)?,
    })
}

/// A widget as statistics name it: id, name and the team it routes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetTeam {
    pub id: i64,
    pub name: String,
    pub team_id: i64,
}

pub fn widgets(conn: &mut DbConn) -> DbResult<Vec<WidgetTeam>> {
    Ok(widgets::table
        .select((widgets::id, widgets::name, widgets::team_id))
        .order(widgets::id)
        .load::<(i64, String, i64)>(conn)?
        .into_iter()
        .map(|(id, name, team_id)| WidgetTeam { id, name, team_id })
        .collect())
}
