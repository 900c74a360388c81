//! Conversations. The visitor's name and e-mail are encrypted with the row id bound in; a
//! conversation whose visitor typed an e-mail address names its contact (`db::contacts`).

use super::contacts::{self, ContactId};
use super::schema::{conversations, widgets};
use super::staff::StaffId;
use super::widgets::WidgetId;
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ConversationId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Waiting,
    Active,
    Offline,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::Offline => "offline",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Waiting, Self::Active, Self::Offline, Self::Closed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations)]
struct Row {
    id: i64,
    widget_id: i64,
    status: String,
    operator_id: Option<i64>,
    visitor_name_enc: Option<Vec<u8>>,
    visitor_email_enc: Option<Vec<u8>>,
    last_seq: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    contact_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: ConversationId,
    pub widget: WidgetId,
    pub status: Status,
    pub operator: Option<StaffId>,
    pub last_seq: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The contact whose address the visitor typed, if any.
    pub contact: Option<ContactId>,
    name_enc: Option<Vec<u8>>,
    email_enc: Option<Vec<u8>>,
}

impl TryFrom<Row> for Conversation {
    type Error = DbError;
    fn try_from(r: Row) -> DbResult<Self> {
        Ok(Self {
            id: ConversationId(r.id),
            widget: WidgetId(r.widget_id),
            status: Status::parse(&r.status)
                .ok_or_else(|| DbError::Corrupt(format!("status {}", r.status)))?,
            operator: r.operator_id.map(StaffId),
            last_seq: r.last_seq,
            created_at: r.created_at,
            updated_at: r.updated_at,
            contact: r.contact_id.map(ContactId),
            name_enc: r.visitor_name_enc,
            email_enc: r.visitor_email_enc,
        })
    }
}

fn field(id: i64, column: &'static str) -> FieldRef<'static> {
    FieldRef {
        table: "conversations",
        column,
        row_id: id,
    }
}

impl Conversation {
    /// Name and e-mail the visitor chose to give; decrypting them is an access to personal data.
    pub fn contact(&self, ring: &KeyRing) -> DbResult<(Option<String>, Option<String>)> {
        let open = |enc: &Option<Vec<u8>>, column| {
            enc.as_deref()
                .map(|c| ring.open_str(field(self.id.0, column), c))
                .transpose()
        };
        Ok((
            open(&self.name_enc, "visitor_name")?,
            open(&self.email_enc, "visitor_email")?,
        ))
    }
}

/// What a new conversation starts with.
pub struct NewConversation<'a> {
    pub widget: WidgetId,
    pub token_hash: &'a [u8],
    pub offline: bool,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

pub fn create(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewConversation<'_>,
    now: NaiveDateTime,
) -> DbResult<ConversationId> {
    let id = super::new_id(now.and_utc())?;
    let seal = |v: Option<&str>, column| v.map(|t| ring.seal_str(field(id, column), t)).transpose();
    let status = if new.offline {
        Status::Offline
    } else {
        Status::Waiting
    };
    // Stored whether or not the widget recognises returning visitors: the setting decides
    // only what operators are shown.
    let contact = new
        .email
        .map(|email| contacts::remember(conn, ring, email, new.name, now))
        .transpose()?;
    diesel::insert_into(conversations::table)
        .values((
            conversations::id.eq(id),
            conversations::widget_id.eq(new.widget.0),
            conversations::token_hash.eq(new.token_hash),
            conversations::status.eq(status.as_str()),
            conversations::offline.eq(new.offline),
            conversations::visitor_name_enc.eq(seal(new.name, "visitor_name")?),
            conversations::visitor_email_enc.eq(seal(new.email, "visitor_email")?),
            conversations::last_seq.eq(0i64),
            conversations::contact_id.eq(contact.map(|c| c.0)),
            conversations::created_at.eq(now),
            conversations::updated_at.eq(now),
        ))
        .execute(conn)?;
    if new.name.is_some() || new.email.is_some() {
        super::person_index::index_conversation(conn, ring, ConversationId(id))?;
    }
    Ok(ConversationId(id))
}

/// The conversation a token leads to: just made, or already there.
pub enum Claim {
    Created(ConversationId),
    Found(Conversation),
}

/// Finds the conversation of this token or creates it, so that a first message resent
/// after a dropped connection continues the conversation it started instead of opening a
/// second one. The unique index on `token_hash` settles a race between two nodes: the
/// loser's insert fails and it reads the winner's row instead.
pub fn claim(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewConversation<'_>,
    now: NaiveDateTime,
) -> DbResult<Claim> {
    if let Some(found) = by_token(conn, new.token_hash)? {
        return Ok(Claim::Found(found));
    }
    // A savepoint, so that a failed insert leaves the caller's transaction usable.
    match conn.transaction(|conn| create(conn, ring, new, now)) {
        Ok(id) => Ok(Claim::Created(id)),
        Err(e) => by_token(conn, new.token_hash)?.map(Claim::Found).ok_or(e),
    }
}

pub fn by_id(conn: &mut DbConn, id: ConversationId) -> DbResult<Option<Conversation>> {
    conversations::table
        .find(id.0)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Conversation::try_from)
        .transpose()
}

pub fn by_token(conn: &mut DbConn, token_hash: &[u8]) -> DbResult<Option<Conversation>> {
    conversations::table
        .filter(conversations::token_hash.eq(token_hash))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Conversation::try_from)
        .transpose()
}

/// The statuses of an open conversation: the operator queue lists these.
pub const OPEN: [Status; 3] = [Status::Waiting, Status::Active, Status::Offline];

/// Open conversations (waiting, active, offline) with their widget's name, newest first,
/// at most `limit`; with `widgets`, only those widgets' (a narrowing to what a role's
/// scope reaches, so the limit counts what the caller may show; it still decides each row).
pub fn open_with_widget(
    conn: &mut DbConn,
    limit: i64,
    widgets: Option<&[WidgetId]>,
) -> DbResult<Vec<(Conversation, String)>> {
    let mut query = conversations::table
        .inner_join(widgets::table)
        .filter(conversations::status.eq_any(OPEN.map(Status::as_str)))
        .into_boxed();
    if let Some(only) = widgets {
        let ids: Vec<i64> = only.iter().map(|w| w.0).collect();
        query = query.filter(conversations::widget_id.eq_any(ids));
    }
    query
        .order(conversations::updated_at.desc())
        .limit(limit)
        .select((Row::as_select(), widgets::name))
        .load::<(Row, String)>(conn)?
        .into_iter()
        .map(|(r, name)| Ok((Conversation::try_from(r)?, name)))
        .collect()
}

/// Closed conversations before `before` (keyset pagination, no OFFSET), newest first;
/// with `widgets`, only conversations of those widgets (a narrowing for a page of what a
/// role's scope reaches; the caller still decides each row with `access::require`).
pub fn closed_page(
    conn: &mut DbConn,
    before: Option<i64>,
    limit: i64,
    widgets: Option<&[WidgetId]>,
) -> DbResult<Vec<(Conversation, String)>> {
    let mut query = conversations::table
        .inner_join(widgets::table)
        .filter(conversations::status.eq(Status::Closed.as_str()))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(conversations::id.lt(before));
    }
    if let Some(only) = widgets {
        let ids: Vec<i64> = only.iter().map(|w| w.0).collect();
        query = query.filter(conversations::widget_id.eq_any(ids));
    }
    query
        .order(conversations::id.desc())
        .limit(limit)
        .select((Row::as_select(), widgets::name))
        .load::<(Row, String)>(conn)?
        .into_iter()
        .map(|(r, name)| Ok((Conversation::try_from(r)?, name)))
        .collect()
}

/// Takes a waiting conversation; `false` if someone else was faster or it is not waiting.
pub fn take(
    conn: &mut DbConn,
    id: ConversationId,
    staff: StaffId,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(
        conversations::table
            .find(id.0)
            .filter(conversations::status.eq(Status::Waiting.as_str())),
    )
    .set((
        conversations::status.eq(Status::Active.as_str()),
        conversations::operator_id.eq(staff.0),
        conversations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn transfer(
    conn: &mut DbConn,
    id: ConversationId,
    to: StaffId,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(
        conversations::table
            .find(id.0)
            .filter(conversations::status.eq(Status::Active.as_str())),
    )
    .set((
        conversations::operator_id.eq(to.0),
        conversations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn close(conn: &mut DbConn, id: ConversationId, now: NaiveDateTime) -> DbResult<bool> {
    let changed = diesel::update(
        conversations::table
            .find(id.0)
            .filter(conversations::status.ne(Status::Closed.as_str())),
    )
    .set((
        conversations::status.eq(Status::Closed.as_str()),
        conversations::closed_at.eq(Some(now)),
        conversations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Stores the name and e-mail address a visitor typed into a running chat and links the
/// contact of that address; a field left out keeps what is stored. `false`: no such
/// conversation. Call inside a transaction.
pub fn identify(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ConversationId,
    name: Option<&str>,
    email: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<bool> {
    if by_id(conn, id)?.is_none() {
        return Ok(false);
    }
    if let Some(name) = name {
        let sealed = ring.seal_str(field(id.0, "visitor_name"), name)?;
        diesel::update(conversations::table.find(id.0))
            .set(conversations::visitor_name_enc.eq(Some(sealed)))
            .execute(conn)?;
    }
    if let Some(email) = email {
        let contact = contacts::remember(conn, ring, email, name, now)?;
        let sealed = ring.seal_str(field(id.0, "visitor_email"), email)?;
        diesel::update(conversations::table.find(id.0))
            .set((
                conversations::visitor_email_enc.eq(Some(sealed)),
                conversations::contact_id.eq(Some(contact.0)),
            ))
            .execute(conn)?;
    }
    diesel::update(conversations::table.find(id.0))
        .set(conversations::updated_at.eq(now))
        .execute(conn)?;
    if name.is_some() || email.is_some() {
        super::person_index::index_conversation(conn, ring, id)?;
    }
    Ok(true)
}

/// The other conversations of a contact with their widget's name, newest first: what
/// identity recognition shows an operator. Local data only.
pub fn of_contact(
    conn: &mut DbConn,
    contact: ContactId,
    except: ConversationId,
    limit: i64,
) -> DbResult<Vec<(Conversation, String)>> {
    conversations::table
        .inner_join(widgets::table)
        .filter(conversations::contact_id.eq(contact.0))
        .filter(conversations::id.ne(except.0))
        .order(conversations::id.desc())
        .limit(limit)
        .select((Row::as_select(), widgets::name))
        .load::<(Row, String)>(conn)?
        .into_iter()
        .map(|(r, name)| Ok((Conversation::try_from(r)?, name)))
        .collect()
}

/// These conversations (those that exist, whatever their status) with their widget's
/// name, in no particular order (search results, the console queue's changes).
pub fn with_widget_by_ids(
    conn: &mut DbConn,
    ids: &[ConversationId],
) -> DbResult<Vec<(Conversation, String)>> {
    let ids: Vec<i64> = ids.iter().map(|c| c.0).collect();
    conversations::table
        .inner_join(widgets::table)
        .filter(conversations::id.eq_any(ids))
        .select((Row::as_select(), widgets::name))
        .load::<(Row, String)>(conn)?
        .into_iter()
        .map(|(r, name)| Ok((Conversation::try_from(r)?, name)))
        .collect()
}
