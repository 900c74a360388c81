//! Messages: encrypted bodies, a per-conversation sequence, idempotent client ids.

use super::conversations::ConversationId;
use super::schema::{conversations, messages};
use super::staff::StaffId;
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sender {
    Visitor,
    Operator,
    /// Internal note between staff; never delivered to the visitor.
    Note,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Operator => "operator",
            Self::Note => "note",
        }
    }

    fn parse(s: &str) -> DbResult<Self> {
        match s {
            "visitor" => Ok(Self::Visitor),
            "operator" => Ok(Self::Operator),
            "note" => Ok(Self::Note),
            _ => Err(DbError::Corrupt(format!("sender {s}"))),
        }
    }
}

/// A decrypted message.
#[derive(Debug, Clone)]
pub struct Message {
    pub seq: i64,
    pub sender: Sender,
    pub staff: Option<StaffId>,
    pub client_id: Option<String>,
    pub text: String,
    pub created_at: NaiveDateTime,
}

/// The outcome of an append: where it landed and whether it was a resend.
#[derive(Debug, Clone, Copy)]
pub struct Appended {
    pub seq: i64,
    pub created_at: NaiveDateTime,
    pub duplicate: bool,
}

fn body_field(id: i64) -> FieldRef<'static> {
    FieldRef {
        table: "messages",
        column: "body",
        row_id: id,
    }
}

pub struct NewMessage<'a> {
    pub conversation: ConversationId,
    pub sender: Sender,
    pub staff: Option<StaffId>,
    pub client_id: Option<&'a str>,
    pub text: &'a str,
}

/// Appends within the caller's transaction: next seq, encrypted body; a known client id
/// returns the stored message's place instead of storing it twice.
pub fn append(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewMessage<'_>,
    now: NaiveDateTime,
) -> DbResult<Appended> {
    if let Some(client_id) = new.client_id {
        let existing: Option<(i64, NaiveDateTime)> = messages::table
            .filter(messages::conversation_id.eq(new.conversation.0))
            .filter(messages::sender.eq(new.sender.as_str()))
            .filter(messages::client_id.eq(client_id))
            .select((messages::seq, messages::created_at))
            .first(conn)
            .optional()?;
        if let Some((seq, created_at)) = existing {
            return Ok(Appended {
                seq,
                created_at,
                duplicate: true,
            });
        }
    }
    let last: i64 = conversations::table
        .find(new.conversation.0)
        .select(conversations::last_seq)
        .first(conn)?;
    let seq = last + 1;
    diesel::update(conversations::table.find(new.conversation.0))
        .set((
            conversations::last_seq.eq(seq),
            conversations::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = super::new_id(now.and_utc())?;
    let body = ring.seal_str(body_field(id), new.text)?;
    diesel::insert_into(messages::table)
        .values((
            messages::id.eq(id),
            messages::conversation_id.eq(new.conversation.0),
            messages::seq.eq(seq),
            messages::sender.eq(new.sender.as_str()),
            messages::staff_id.eq(new.staff.map(|s| s.0)),
            messages::client_id.eq(new.client_id),
            messages::body_enc.eq(body),
            messages::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Appended {
        seq,
        created_at: now,
        duplicate: false,
    })
}

type MessageRow = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Vec<u8>,
    NaiveDateTime,
);

/// Messages after `after_seq` in order; notes only when `with_notes`.
pub fn after(
    conn: &mut DbConn,
    ring: &KeyRing,
    conversation: ConversationId,
    after_seq: i64,
    with_notes: bool,
    limit: i64,
) -> DbResult<Vec<Message>> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation.0))
        .filter(messages::seq.gt(after_seq))
        .into_boxed();
    if !with_notes {
        query = query.filter(messages::sender.ne(Sender::Note.as_str()));
    }
    let rows: Vec<MessageRow> = query
        .order(messages::seq.asc())
        .limit(limit)
        .select((
            messages::id,
            messages::seq,
            messages::sender,
            messages::staff_id,
            messages::client_id,
            messages::body_enc,
            messages::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, seq, sender, staff, client_id, body, created_at)| {
            Ok(Message {
                seq,
                sender: Sender::parse(&sender)?,
                staff: staff.map(StaffId),
                client_id,
                text: ring.open_str(body_field(id), &body)?,
                created_at,
            })
        })
        .collect()
}
