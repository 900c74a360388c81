//! Writing the prepared rows many per statement, on the concrete connection.

use super::{Chunk, Contacts, Entry, Notice};
use diesel::prelude::*;
use plauder::db::schema::{
    consents, contacts, conversation_tags, conversations as conv, messages, person_index as pi,
};
use plauder::db::{DbConn, DbResult};

/// Rows per INSERT statement: below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const PER_STATEMENT: usize = 1000;

/// `insert_into(table).values(&rows)` on the concrete connection (batch inserts do not
/// compile on the MultiConnection), the same code for both backends.
macro_rules! batch {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            DbConn::Pg(c) => diesel::insert_into($table).values($values).execute(c),
            DbConn::Sqlite(c) => diesel::insert_into($table).values($values).execute(c),
        }
    };
}

fn index(conn: &mut DbConn, entries: &[Entry]) -> DbResult<()> {
    for part in entries.chunks(PER_STATEMENT) {
        let values: Vec<_> = part
            .iter()
            .map(|e| {
                (
                    pi::kind.eq(e.kind),
                    pi::blind.eq(&e.blind),
                    pi::conversation_id.eq(e.conversation),
                    pi::contact_id.eq(e.contact),
                )
            })
            .collect();
        batch!(conn, pi::table, &values)?;
    }
    Ok(())
}

/// Inserts a batch of contacts; call inside a transaction.
pub fn insert_contacts(conn: &mut DbConn, batch: &Contacts) -> DbResult<()> {
    for part in batch.rows.chunks(PER_STATEMENT) {
        let values: Vec<_> = part
            .iter()
            .map(|c| {
                (
                    contacts::id.eq(c.id),
                    contacts::email_enc.eq(&c.email_enc),
                    contacts::name_enc.eq(Some(&c.name_enc)),
                    contacts::email_blind.eq(&c.email_blind),
                    contacts::created_at.eq(c.created_at),
                    contacts::updated_at.eq(c.created_at),
                    contacts::phone_enc.eq(c.phone_enc.as_ref()),
                    contacts::customer_id_enc.eq(c.customer_enc.as_ref()),
                )
            })
            .collect();
        batch!(conn, contacts::table, &values)?;
    }
    index(conn, &batch.index)
}

/// Inserts a chunk of conversations with everything they hold; call inside a transaction.
pub fn insert_chunk(conn: &mut DbConn, chunk: &Chunk, notice: &Notice<'_>) -> DbResult<()> {
    for part in chunk.conversations.chunks(PER_STATEMENT / 2) {
        let values: Vec<_> = part
            .iter()
            .map(|c| {
                (
                    (
                        conv::id.eq(c.id),
                        conv::widget_id.eq(c.widget),
                        conv::token_hash.eq(&c.token_hash),
                        conv::status.eq(c.status),
                        conv::offline.eq(c.status == "offline"),
                        conv::operator_id.eq(c.operator),
                        conv::visitor_name_enc.eq(c.name_enc.as_ref()),
                    ),
                    (
                        conv::visitor_email_enc.eq(c.email_enc.as_ref()),
                        conv::last_seq.eq(c.last_seq),
                        conv::created_at.eq(c.created_at),
                        conv::updated_at.eq(c.updated_at),
                        conv::closed_at.eq(c.closed_at),
                        conv::contact_id.eq(c.contact),
                    ),
                )
            })
            .collect();
        batch!(conn, conv::table, &values)?;
    }
    for part in chunk.messages.chunks(PER_STATEMENT) {
        let values: Vec<_> = part
            .iter()
            .map(|m| {
                (
                    messages::id.eq(m.id),
                    messages::conversation_id.eq(m.conversation),
                    messages::seq.eq(m.seq),
                    messages::sender.eq(m.sender),
                    messages::staff_id.eq(m.staff),
                    messages::client_id.eq(m.client_id.as_deref()),
                    messages::body_enc.eq(&m.body_enc),
                    messages::created_at.eq(m.created_at),
                )
            })
            .collect();
        batch!(conn, messages::table, &values)?;
    }
    for part in chunk.consents.chunks(PER_STATEMENT) {
        let values: Vec<_> = part
            .iter()
            .map(|c| {
                (
                    consents::id.eq(c.id),
                    consents::widget_id.eq(c.widget),
                    consents::conversation_id.eq(c.conversation),
                    consents::notice_hash.eq(notice.hash),
                    consents::notice_version.eq(notice.version),
                    consents::lang.eq("de"),
                    consents::given_at.eq(c.given_at),
                )
            })
            .collect();
        batch!(conn, consents::table, &values)?;
    }
    if !chunk.tags.is_empty() {
        let values: Vec<_> = chunk
            .tags
            .iter()
            .map(|(id, tag)| {
                (
                    conversation_tags::conversation_id.eq(*id),
                    conversation_tags::tag.eq(*tag),
                )
            })
            .collect();
        batch!(conn, conversation_tags::table, &values)?;
    }
    index(conn, &chunk.index)
}
