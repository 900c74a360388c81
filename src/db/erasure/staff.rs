//! Staff erasure (GDPR Art. 17): a contact with all their conversations, or selected
//! conversations, with the same steps as the visitor's own (`super::remove`): messages,
//! consents, technical details, tags, blind-index entries and the conversation row; for a
//! contact, its own index entries and the contact row too. One journal row per
//! conversation (ids and the time only). Callers decide access first and run these inside
//! their write transaction together with the audit entries, so nothing is half erased.
//!
//! Afterwards `checkpoint` moves the bytes out of SQLite's WAL: the rows are gone at the
//! commit, and `secure_delete` (set on every connection) zeroes the freed pages in the main
//! file, but the WAL still holds the last copies until a checkpoint truncates it.

use super::{journal_row, remove};
use crate::db::contacts::ContactId;
use crate::db::conversations::{self, ConversationId};
use crate::db::schema::{consents, contacts, conversations as conv, messages};
use crate::db::{DbConn, DbResult, person_index};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The journal's action word for an erasure by staff.
pub const STAFF_ERASE: &str = "staff_erase";

/// What an erasure will remove, for the confirmation page; counts only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub conversations: i64,
    pub messages: i64,
    pub consents: i64,
}

/// Counts the rows erasing these conversations removes.
pub fn counts(conn: &mut DbConn, ids: &[ConversationId]) -> DbResult<Counts> {
    let raw: Vec<i64> = ids.iter().map(|c| c.0).collect();
    let conversations = conv::table
        .filter(conv::id.eq_any(&raw))
        .count()
        .get_result(conn)?;
    let messages = messages::table
        .filter(messages::conversation_id.eq_any(&raw))
        .count()
        .get_result(conn)?;
    let consents = consents::table
        .filter(consents::conversation_id.eq_any(&raw))
        .count()
        .get_result(conn)?;
    Ok(Counts {
        conversations,
        messages,
        consents,
    })
}

/// The ids of a contact's conversations, oldest first.
pub fn conversations_of(conn: &mut DbConn, contact: ContactId) -> DbResult<Vec<ConversationId>> {
    Ok(conv::table
        .filter(conv::contact_id.eq(contact.0))
        .order(conv::id.asc())
        .select(conv::id)
        .load::<i64>(conn)?
        .into_iter()
        .map(ConversationId)
        .collect())
}

/// One erased conversation: its journal row and what the caller tells live consoles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErasedConversation {
    pub id: ConversationId,
    pub journal: i64,
}

/// Erases the conversations (those that exist; the caller checked them) and journals each
/// with `contact` (set when the contact goes too). Contacts they name stay: staff chose
/// conversations, not the person. Call inside a write transaction.
pub fn erase_conversations(
    conn: &mut DbConn,
    ids: &[ConversationId],
    contact: Option<ContactId>,
    now: NaiveDateTime,
) -> DbResult<Vec<ErasedConversation>> {
    let mut erased = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(c) = conversations::by_id(conn, *id)? else {
            continue;
        };
        remove(conn, *id)?;
        let journal = journal_row(conn, id.0, c.widget.0, contact, STAFF_ERASE, now)?;
        erased.push(ErasedConversation { id: *id, journal });
    }
    Ok(erased)
}

/// Erases a contact with every conversation that names it; `None` when there is no such
/// contact. A contact without conversations still leaves one journal row, with the
/// conversation and widget ids 0 (never real ids), so that replaying the journal after a
/// restore removes the contact too. Call inside a write transaction.
pub fn erase_contact(
    conn: &mut DbConn,
    contact: ContactId,
    now: NaiveDateTime,
) -> DbResult<Option<Vec<ErasedConversation>>> {
    let exists = contacts::table
        .find(contact.0)
        .select(contacts::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let ids = conversations_of(conn, contact)?;
    let erased = erase_conversations(conn, &ids, Some(contact), now)?;
    person_index::forget_contact(conn, contact)?;
    diesel::delete(contacts::table.find(contact.0)).execute(conn)?;
    if erased.is_empty() {
        journal_row(conn, 0, 0, Some(contact), STAFF_ERASE, now)?;
    }
    Ok(Some(erased))
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// How often a busy checkpoint is tried again, and how long to wait in between.
const CHECKPOINT_TRIES: u32 = 20;
const CHECKPOINT_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// SQLite only: moves the WAL into the main file and truncates it, so erased rows leave
/// the WAL too; retries while a reader holds an older snapshot. Blocks (sleeps): call it on
/// the blocking pool after the erasure's commit, never inside a transaction. `false`: it
/// stayed busy (the next automatic checkpoint overwrites the WAL later). PostgreSQL: nothing
/// synchronous (see docs/it.md, "Erasure"); returns `true`.
pub fn checkpoint(conn: &mut DbConn) -> DbResult<bool> {
    let DbConn::Sqlite(c) = conn else {
        return Ok(true);
    };
    for _ in 0..CHECKPOINT_TRIES {
        let r: Checkpoint = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(c)?;
        if r.busy == 0 {
            return Ok(true);
        }
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
    tracing::warn!("WAL checkpoint after an erasure stayed busy; the WAL is overwritten later");
    Ok(false)
}
