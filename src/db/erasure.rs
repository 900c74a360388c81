//! Self-service erasure: everything stored about the visitor of one conversation goes in
//! one transaction (messages, consents, technical details, the conversation with its
//! name and address, the contact unless another conversation names it), and one journal
//! row remains with ids and the time only. Withdrawal under the keep-until-retention
//! policy marks the consent and closes the conversation instead. Never records or logs
//! anything about the person.

use super::contacts::{self, ContactId};
use super::conversations::{self, ConversationId};
use super::schema::{
    consents, conversation_meta, conversations as conv, erasure_journal, messages,
};
use super::widgets::WidgetId;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Why a conversation was erased; stored in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The visitor chose "delete my data now".
    Erase,
    /// The visitor withdrew consent and the widget deletes at once.
    Withdraw,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Erase => "erase",
            Self::Withdraw => "withdraw",
        }
    }
}

/// What an erasure removed, for the caller's live events and the tests; ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    pub journal: i64,
    pub widget: WidgetId,
    pub contact: Option<ContactId>,
    pub contact_deleted: bool,
}

/// Erases a conversation and what belongs to it; `None` when it does not exist (any more).
/// Runs in its own write transaction.
pub fn erase(
    conn: &mut DbConn,
    conversation: ConversationId,
    action: Action,
    now: NaiveDateTime,
) -> DbResult<Option<Erased>> {
    super::write_transaction(conn, |conn| {
        let Some(c) = conversations::by_id(conn, conversation)? else {
            return Ok(None);
        };
        let id = conversation.0;
        // Explicit deletes rather than relying on ON DELETE CASCADE: the list of what goes
        // is visible here, and it does not depend on SQLite's foreign_keys pragma.
        diesel::delete(messages::table.filter(messages::conversation_id.eq(id))).execute(conn)?;
        diesel::delete(consents::table.filter(consents::conversation_id.eq(id))).execute(conn)?;
        diesel::delete(conversation_meta::table.find(id)).execute(conn)?;
        diesel::delete(conv::table.find(id)).execute(conn)?;
        let contact_deleted = match c.contact {
            Some(contact) => contacts::forget_if_unused(conn, contact)?,
            None => false,
        };
        let journal = super::new_id(now.and_utc())?;
        diesel::insert_into(erasure_journal::table)
            .values((
                erasure_journal::id.eq(journal),
                erasure_journal::conversation_id.eq(id),
                erasure_journal::widget_id.eq(c.widget.0),
                erasure_journal::contact_id.eq(c.contact.filter(|_| contact_deleted).map(|c| c.0)),
                erasure_journal::action.eq(action.as_str()),
                erasure_journal::erased_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Some(Erased {
            journal,
            widget: c.widget,
            contact: c.contact,
            contact_deleted,
        }))
    })
}

/// Withdrawal without deletion: the consent is marked withdrawn and the conversation
/// closed, together; the retention period deletes it later. `false`: no such conversation.
pub fn withdraw_and_close(
    conn: &mut DbConn,
    conversation: ConversationId,
    now: NaiveDateTime,
) -> DbResult<bool> {
    super::write_transaction(conn, |conn| {
        if conversations::by_id(conn, conversation)?.is_none() {
            return Ok(false);
        }
        super::consents::withdraw(conn, conversation, now)?;
        conversations::close(conn, conversation, now)?;
        Ok(true)
    })
}

/// One journal row as stored: ids, action and time.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct JournalRow {
    pub id: i64,
    pub conversation_id: i64,
    pub widget_id: i64,
    pub contact_id: Option<i64>,
    pub action: String,
    pub erased_at: NaiveDateTime,
}

/// The journal, newest first.
pub fn journal(conn: &mut DbConn, limit: i64) -> DbResult<Vec<JournalRow>> {
    Ok(erasure_journal::table
        .order(erasure_journal::erased_at.desc())
        .limit(limit)
        .select((
            erasure_journal::id,
            erasure_journal::conversation_id,
            erasure_journal::widget_id,
            erasure_journal::contact_id,
            erasure_journal::action,
            erasure_journal::erased_at,
        ))
        .load(conn)?)
}
