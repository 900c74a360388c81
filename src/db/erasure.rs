//! Self-service erasure: everything stored about the visitor of one conversation goes in
//! one transaction (messages, consents, technical details, the conversation with its
//! name and address, the contact unless another conversation names it), and one journal
//! row remains with ids and the time only. Withdrawal under the keep-until-retention
//! policy marks the consent and closes the conversation instead. Never records or logs
//! anything about the person. Staff erasure (a contact, selected conversations) reuses the
//! same steps: `staff`.

pub mod staff;

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
    erase_as(conn, conversation, action.as_str(), now)
}

/// The journal's action word for a conversation the retention job removed (past its
/// widget's period, or a withdrawn or missing consent; `jobs::expiry`).
pub const EXPIRED: &str = "expired";

/// `erase` by the retention job: the same steps, journaled as `EXPIRED`.
pub fn expire(
    conn: &mut DbConn,
    conversation: ConversationId,
    now: NaiveDateTime,
) -> DbResult<Option<Erased>> {
    erase_as(conn, conversation, EXPIRED, now)
}

fn erase_as(
    conn: &mut DbConn,
    conversation: ConversationId,
    word: &str,
    now: NaiveDateTime,
) -> DbResult<Option<Erased>> {
    super::write_transaction(conn, |conn| {
        let Some(c) = conversations::by_id(conn, conversation)? else {
            return Ok(None);
        };
        remove(conn, conversation)?;
        let contact_deleted = match c.contact {
            Some(contact) => {
                let gone = contacts::forget_if_unused(conn, contact)?;
                if gone {
                    super::person_index::forget_contact(conn, contact)?;
                }
                gone
            }
            None => false,
        };
        let journal = journal_row(
            conn,
            conversation.0,
            c.widget.0,
            c.contact.filter(|_| contact_deleted),
            word,
            now,
        )?;
        Ok(Some(Erased {
            journal,
            widget: c.widget,
            contact: c.contact,
            contact_deleted,
        }))
    })
}

/// Deletes one conversation and every row that belongs to it; call inside a write
/// transaction. Explicit deletes rather than relying on ON DELETE CASCADE: the list of what
/// goes is visible here, and it does not depend on SQLite's foreign_keys pragma.
fn remove(conn: &mut DbConn, conversation: ConversationId) -> DbResult<()> {
    let id = conversation.0;
    diesel::delete(messages::table.filter(messages::conversation_id.eq(id))).execute(conn)?;
    diesel::delete(consents::table.filter(consents::conversation_id.eq(id))).execute(conn)?;
    diesel::delete(conversation_meta::table.find(id)).execute(conn)?;
    super::tags::forget_conversation(conn, conversation)?;
    super::person_index::forget_conversation(conn, conversation)?;
    diesel::delete(conv::table.find(id)).execute(conn)?;
    Ok(())
}

/// Writes one journal row (ids, action, time) and returns its id.
fn journal_row(
    conn: &mut DbConn,
    conversation: i64,
    widget: i64,
    contact: Option<ContactId>,
    action: &str,
    now: NaiveDateTime,
) -> DbResult<i64> {
    let journal = super::new_id(now.and_utc())?;
    diesel::insert_into(erasure_journal::table)
        .values((
            erasure_journal::id.eq(journal),
            erasure_journal::conversation_id.eq(conversation),
            erasure_journal::widget_id.eq(widget),
            erasure_journal::contact_id.eq(contact.map(|c| c.0)),
            erasure_journal::action.eq(action),
            erasure_journal::erased_at.eq(now),
        ))
        .execute(conn)?;
    Ok(journal)
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

/// Restore (helper BACKUP): puts a journal row back with its own id when the table lacks
/// it (a row known only from the journal file or an older backup). `true` when inserted.
pub fn restore_journal_row(conn: &mut DbConn, row: &JournalRow) -> DbResult<bool> {
    let exists = erasure_journal::table
        .find(row.id)
        .select(erasure_journal::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if exists {
        return Ok(false);
    }
    diesel::insert_into(erasure_journal::table)
        .values((
            erasure_journal::id.eq(row.id),
            erasure_journal::conversation_id.eq(row.conversation_id),
            erasure_journal::widget_id.eq(row.widget_id),
            erasure_journal::contact_id.eq(row.contact_id),
            erasure_journal::action.eq(&row.action),
            erasure_journal::erased_at.eq(row.erased_at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Restore (helper BACKUP): erases again what a journal row says was erased, with the same
/// steps as the erasure itself and without a new journal row: the conversation (when the
/// id is not 0) and the contact the row names. Every erased conversation has a row of its
/// own, so a conversation of the backup that still names an erased contact was moved to
/// another contact before the erasure (a merge) and lives on: it stays, without the
/// contact. Returns how many conversations and contacts went. Call inside a write
/// transaction.
pub fn replay(conn: &mut DbConn, row: &JournalRow) -> DbResult<(usize, usize)> {
    let mut conversations_gone = 0;
    if row.conversation_id != 0
        && conversations::by_id(conn, ConversationId(row.conversation_id))?.is_some()
    {
        remove(conn, ConversationId(row.conversation_id))?;
        conversations_gone += 1;
    }
    let mut contacts_gone = 0;
    if let Some(contact) = row.contact_id {
        diesel::update(conv::table.filter(conv::contact_id.eq(contact)))
            .set(conv::contact_id.eq(None::<i64>))
            .execute(conn)?;
        super::person_index::forget_contact(conn, ContactId(contact))?;
        contacts_gone =
            diesel::delete(super::schema::contacts::table.find(contact)).execute(conn)?;
    }
    Ok((conversations_gone, contacts_gone))
}

/// The journal's action word for a contact merged into another (`contact_edit::merge`):
/// its row and what it held are gone, so a restore of an older backup removes it again.
pub const MERGED: &str = "merged";

/// Journals a contact merged away (conversation and widget ids 0). Call inside the
/// merge's write transaction.
pub fn journal_merged(conn: &mut DbConn, contact: ContactId, now: NaiveDateTime) -> DbResult<i64> {
    journal_row(conn, 0, 0, Some(contact), MERGED, now)
}
