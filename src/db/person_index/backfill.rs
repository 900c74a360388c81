//! The one-time backfill of the person index for rows stored before it existed.

use super::{index_contact, index_conversation};
use crate::crypto::KeyRing;
use crate::db::contacts::ContactId;
use crate::db::conversations::ConversationId;
use crate::db::schema::{app_settings, contacts as contact_rows, conversations as conv};
use crate::db::{Db, DbResult};
use diesel::prelude::*;

/// Set by the migration that created the index; removed once rows stored before it are
/// indexed.
const BACKFILL_KEY: &str = "person_index.backfill";
const BATCH: i64 = 500;

/// Indexes, once, conversations and contacts stored before the index existed (a migration
/// cannot compute HMACs). Runs at start-up in batches of its own transactions; a second
/// run (another node, a restart halfway) only redoes entries, which replace themselves.
/// Returns how many rows were indexed.
pub fn backfill(db: &Db, ring: &KeyRing) -> DbResult<usize> {
    let mut conn = db.conn()?;
    if crate::db::settings::get(&mut conn, BACKFILL_KEY)?.is_none() {
        return Ok(0);
    }
    let mut done = 0;
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = conv::table
            .filter(conv::id.gt(after))
            .filter(
                conv::visitor_name_enc
                    .is_not_null()
                    .or(conv::visitor_email_enc.is_not_null()),
            )
            .order(conv::id.asc())
            .limit(BATCH)
            .select(conv::id)
            .load(&mut conn)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        crate::db::write_transaction(&mut conn, |conn| {
            ids.iter()
                .try_for_each(|id| index_conversation(conn, ring, ConversationId(*id)))
        })?;
        done += ids.len();
    }
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = contact_rows::table
            .filter(contact_rows::id.gt(after))
            .order(contact_rows::id.asc())
            .limit(BATCH)
            .select(contact_rows::id)
            .load(&mut conn)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        crate::db::write_transaction(&mut conn, |conn| {
            ids.iter()
                .try_for_each(|id| index_contact(conn, ring, ContactId(*id)))
        })?;
        done += ids.len();
    }
    diesel::delete(app_settings::table.find(BACKFILL_KEY)).execute(&mut conn)?;
    Ok(done)
}
