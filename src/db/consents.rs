//! Consent records: which notice (hash and short version of its exact text) a visitor
//! accepted, in which language, when, and whether it was withdrawn. Never holds an
//! address, a browser or anything else about the visitor.

use super::conversations::ConversationId;
use super::schema::consents;
use super::widgets::WidgetId;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentId(pub i64);

/// What the visitor accepted, as checked against the current notice; recorded when the
/// conversation is created, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// SHA-256 of the notice text, lower-case hex.
    pub notice_hash: String,
    /// The short form shown in the console and the widget: a prefix of the hash.
    pub notice_version: String,
    /// The visitor language code the notice was shown in.
    pub lang: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consents)]
struct Row {
    id: i64,
    widget_id: i64,
    conversation_id: i64,
    notice_hash: String,
    notice_version: String,
    lang: String,
    given_at: NaiveDateTime,
    withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub widget: WidgetId,
    pub conversation: ConversationId,
    pub given: Given,
    pub given_at: NaiveDateTime,
    pub withdrawn_at: Option<NaiveDateTime>,
}

impl From<Row> for Consent {
    fn from(r: Row) -> Self {
        Self {
            id: ConsentId(r.id),
            widget: WidgetId(r.widget_id),
            conversation: ConversationId(r.conversation_id),
            given: Given {
                notice_hash: r.notice_hash,
                notice_version: r.notice_version,
                lang: r.lang,
            },
            given_at: r.given_at,
            withdrawn_at: r.withdrawn_at,
        }
    }
}

pub fn insert(
    conn: &mut DbConn,
    widget: WidgetId,
    conversation: ConversationId,
    given: &Given,
    now: NaiveDateTime,
) -> DbResult<ConsentId> {
    let id = super::new_id(now.and_utc())?;
    diesel::insert_into(consents::table)
        .values((
            consents::id.eq(id),
            consents::widget_id.eq(widget.0),
            consents::conversation_id.eq(conversation.0),
            consents::notice_hash.eq(&given.notice_hash),
            consents::notice_version.eq(&given.notice_version),
            consents::lang.eq(&given.lang),
            consents::given_at.eq(now),
        ))
        .execute(conn)?;
    Ok(ConsentId(id))
}

/// The consents of a conversation, oldest first.
pub fn for_conversation(conn: &mut DbConn, conversation: ConversationId) -> DbResult<Vec<Consent>> {
    Ok(consents::table
        .filter(consents::conversation_id.eq(conversation.0))
        .order(consents::given_at.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Consent::from)
        .collect())
}

/// Marks the consents of a conversation withdrawn; returns how many changed.
pub fn withdraw(
    conn: &mut DbConn,
    conversation: ConversationId,
    now: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        consents::table
            .filter(consents::conversation_id.eq(conversation.0))
            .filter(consents::withdrawn_at.is_null()),
    )
    .set(consents::withdrawn_at.eq(Some(now)))
    .execute(conn)?)
}
