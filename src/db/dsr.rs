//! The register of data-subject requests (GDPR Art. 12-22): what was asked, when it is due,
//! who handles it and which actions (export, erasure, rectification) answered it. The
//! subject's reference, notes and reasons are encrypted with the row id bound in; the
//! actions table holds ids and fixed words only. Requests a visitor made through the chat's
//! self-service (`self_service`) hold no personal data at all: the conversation id is their
//! only link. Callers write the audit entry in the same transaction (`console::requests`).

use super::contacts::ContactId;
use super::schema::{contacts, dsr_actions, dsr_requests};
use super::staff::StaffId;
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use crate::dsr::due::{self, Extension};
use crate::dsr::{Channel, Kind, Status};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(pub i64);

fn field(id: i64, column: &'static str) -> FieldRef<'static> {
    FieldRef {
        table: "dsr_requests",
        column,
        row_id: id,
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = dsr_requests)]
struct Row {
    id: i64,
    kind: String,
    channel: String,
    received_at: NaiveDateTime,
    due_on: NaiveDate,
    extension_months: i32,
    extension_reason_enc: Option<Vec<u8>>,
    status: String,
    refusal_reason_enc: Option<Vec<u8>>,
    handler_id: Option<i64>,
    subject_enc: Option<Vec<u8>>,
    contact_id: Option<i64>,
    notes_enc: Option<Vec<u8>>,
    answered_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// One request as stored; its personal values stay sealed until `open` (an audited read).
#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    pub kind: Kind,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub due_on: NaiveDate,
    pub extension_months: u8,
    pub status: Status,
    pub handler: Option<StaffId>,
    pub contact: Option<ContactId>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    sealed: [Option<Vec<u8>>; 4],
}

/// The encrypted columns, in the order of `Request::sealed`.
const SEALED: [&str; 4] = ["subject", "notes", "extension_reason", "refusal_reason"];

/// A request's personal values, decrypted.
#[derive(Debug, Clone, Default)]
pub struct Opened {
    pub subject: Option<String>,
    pub notes: Option<String>,
    pub extension_reason: Option<String>,
    pub refusal_reason: Option<String>,
}

impl TryFrom<Row> for Request {
    type Error = DbError;
    fn try_from(r: Row) -> DbResult<Self> {
        let corrupt = |what: &str| DbError::Corrupt(format!("request {}: {what}", r.id));
        Ok(Self {
            id: RequestId(r.id),
            kind: Kind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
            channel: Channel::parse(&r.channel).ok_or_else(|| corrupt("channel"))?,
            status: Status::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            extension_months: u8::try_from(r.extension_months).map_err(|_| corrupt("extension"))?,
            received_at: r.received_at,
            due_on: r.due_on,
            handler: r.handler_id.map(StaffId),
            contact: r.contact_id.map(ContactId),
            answered_at: r.answered_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sealed: [
                r.subject_enc,
                r.notes_enc,
                r.extension_reason_enc,
                r.refusal_reason_enc,
            ],
        })
    }
}

impl Request {
    /// Decrypts the subject reference, notes and reasons: a read of personal data, which
    /// the caller audits.
    pub fn open(&self, ring: &KeyRing) -> DbResult<Opened> {
        let mut values = [None, None, None, None];
        for (i, enc) in self.sealed.iter().enumerate() {
            values[i] = enc
                .as_deref()
                .map(|c| ring.open_str(field(self.id.0, SEALED[i]), c))
                .transpose()?;
        }
        let [subject, notes, extension_reason, refusal_reason] = values;
        Ok(Opened {
            subject,
            notes,
            extension_reason,
            refusal_reason,
        })
    }

    /// Whether it waits for an answer past its due date.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.pending() && self.due_on < today
    }
}

fn due_of(received: NaiveDateTime, extension: u8) -> DbResult<NaiveDate> {
    due::due_date(received.date(), extension)
        .ok_or_else(|| DbError::Conflict("the due date lies beyond the calendar"))
}

/// A request as staff record it.
pub struct NewRequest<'a> {
    pub kind: Kind,
    pub channel: Channel,
    pub received: NaiveDateTime,
    pub handler: Option<StaffId>,
    pub subject: &'a str,
    pub contact: Option<ContactId>,
    pub notes: Option<&'a str>,
}

/// Records a request staff received; it starts open.
pub fn create(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewRequest<'_>,
    now: NaiveDateTime,
) -> DbResult<RequestId> {
    let id = super::new_id(now.and_utc())?;
    let seal = |column, v: &str| ring.seal_str(field(id, column), v);
    diesel::insert_into(dsr_requests::table)
        .values((
            dsr_requests::id.eq(id),
            dsr_requests::kind.eq(new.kind.as_str()),
            dsr_requests::channel.eq(new.channel.as_str()),
            dsr_requests::received_at.eq(new.received),
            dsr_requests::due_on.eq(due_of(new.received, 0)?),
            dsr_requests::extension_months.eq(0),
            dsr_requests::status.eq(Status::Open.as_str()),
            dsr_requests::handler_id.eq(new.handler.map(|h| h.0)),
            dsr_requests::subject_enc.eq(Some(seal("subject", new.subject)?)),
            dsr_requests::contact_id.eq(new.contact.map(|c| c.0)),
            dsr_requests::notes_enc.eq(new.notes.map(|n| seal("notes", n)).transpose()?),
            dsr_requests::created_at.eq(now),
            dsr_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(RequestId(id))
}

/// Records a visitor's in-chat self-service action as a request received and answered
/// now, linked to the conversation by id (`action` says what was done to it). No personal
/// data: call inside the action's own transaction, so the register holds exactly the
/// actions that happened.
pub fn self_service(
    conn: &mut DbConn,
    kind: Kind,
    action: &str,
    conversation: i64,
    now: NaiveDateTime,
) -> DbResult<RequestId> {
    let id = super::new_id(now.and_utc())?;
    diesel::insert_into(dsr_requests::table)
        .values((
            dsr_requests::id.eq(id),
            dsr_requests::kind.eq(kind.as_str()),
            dsr_requests::channel.eq(Channel::ChatSelfService.as_str()),
            dsr_requests::received_at.eq(now),
            dsr_requests::due_on.eq(due_of(now, 0)?),
            dsr_requests::extension_months.eq(0),
            dsr_requests::status.eq(Status::Answered.as_str()),
            dsr_requests::answered_at.eq(Some(now)),
            dsr_requests::created_at.eq(now),
            dsr_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    link_action(conn, id, action, "conversation", conversation, now)?;
    Ok(RequestId(id))
}

pub fn by_id(conn: &mut DbConn, id: RequestId) -> DbResult<Option<Request>> {
    dsr_requests::table
        .find(id.0)
        .select(Row::as_select())
        .first::<Row>(conn)
        .optional()?
        .map(Request::try_from)
        .transpose()
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub kind: Option<Kind>,
    /// Only pending requests past their due date.
    pub overdue: bool,
    /// Only pending requests due within `due::SOON_DAYS` days (not yet overdue).
    pub soon: bool,
}

/// Requests by due date (earliest first), at most `limit`.
pub fn list(
    conn: &mut DbConn,
    filter: &Filter,
    today: NaiveDate,
    limit: i64,
) -> DbResult<Vec<Request>> {
    let pending = [Status::Open.as_str(), Status::InProgress.as_str()];
    let mut query = dsr_requests::table.select(Row::as_select()).into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(dsr_requests::status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(dsr_requests::kind.eq(kind.as_str()));
    }
    if filter.overdue || filter.soon {
        query = query.filter(dsr_requests::status.eq_any(pending));
    }
    if filter.overdue {
        query = query.filter(dsr_requests::due_on.lt(today));
    }
    if filter.soon {
        let until = today + chrono::Days::new(due::SOON_DAYS.unsigned_abs());
        query = query.filter(dsr_requests::due_on.between(today, until));
    }
    query
        .order((dsr_requests::due_on.asc(), dsr_requests::id.asc()))
        .limit(limit)
        .load::<Row>(conn)?
        .into_iter()
        .map(Request::try_from)
        .collect()
}

/// What staff change on a request (the whole editable state at once).
pub struct Change {
    pub status: Status,
    /// Required when refusing.
    pub refusal_reason: Option<String>,
    pub handler: Option<StaffId>,
    pub contact: Option<ContactId>,
    pub extension: Option<Extension>,
    pub notes: Option<String>,
}

/// Applies `change`; false when there is no such request. The due date follows from the
/// receipt and the extension; the answer time is set when the status first becomes
/// answered or refused, and cleared when it goes back to pending.
pub fn update(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: RequestId,
    change: &Change,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let Some(current) = by_id(conn, id)? else {
        return Ok(false);
    };
    if change.status == Status::Refused
        && change.refusal_reason.as_deref().is_none_or(str::is_empty)
    {
        return Err(DbError::Conflict("a refusal needs a reason"));
    }
    let seal = |column, v: Option<&str>| {
        v.filter(|t| !t.is_empty())
            .map(|t| ring.seal_str(field(id.0, column), t))
            .transpose()
    };
    let months = change.extension.as_ref().map_or(0, Extension::months);
    let answered_at = match change.status {
        Status::Answered | Status::Refused => current.answered_at.or(Some(now)),
        Status::Withdrawn => current.answered_at,
        Status::Open | Status::InProgress => None,
    };
    let refusal = (change.status == Status::Refused)
        .then_some(change.refusal_reason.as_deref())
        .flatten();
    diesel::update(dsr_requests::table.find(id.0))
        .set((
            dsr_requests::status.eq(change.status.as_str()),
            dsr_requests::refusal_reason_enc.eq(seal("refusal_reason", refusal)?),
            dsr_requests::handler_id.eq(change.handler.map(|h| h.0)),
            dsr_requests::contact_id.eq(change.contact.map(|c| c.0)),
            dsr_requests::extension_months.eq(i32::from(months)),
            dsr_requests::extension_reason_enc.eq(seal(
                "extension_reason",
                change.extension.as_ref().map(Extension::reason),
            )?),
            dsr_requests::due_on.eq(due_of(current.received_at, months)?),
            dsr_requests::notes_enc.eq(seal("notes", change.notes.as_deref())?),
            dsr_requests::answered_at.eq(answered_at),
            dsr_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Whether a contact with this id exists (a request may name one).
pub fn contact_exists(conn: &mut DbConn, id: ContactId) -> DbResult<bool> {
    Ok(contacts::table
        .find(id.0)
        .select(contacts::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Pending requests overdue and due within `due::SOON_DAYS` days: counts, for the
/// dashboard.
pub fn pending_counts(conn: &mut DbConn, today: NaiveDate) -> DbResult<(i64, i64)> {
    let pending = [Status::Open.as_str(), Status::InProgress.as_str()];
    let overdue = dsr_requests::table
        .filter(dsr_requests::status.eq_any(pending))
        .filter(dsr_requests::due_on.lt(today))
        .count()
        .get_result(conn)?;
    let until = today + chrono::Days::new(due::SOON_DAYS.unsigned_abs());
    let soon = dsr_requests::table
        .filter(dsr_requests::status.eq_any(pending))
        .filter(dsr_requests::due_on.between(today, until))
        .count()
        .get_result(conn)?;
    Ok((overdue, soon))
}

/// One action that answered a request.
#[derive(Debug, Clone, Queryable)]
pub struct LinkedAction {
    pub action: String,
    pub object_kind: String,
    pub object_id: i64,
    pub at: NaiveDateTime,
}

/// The actions linked to a request, oldest first.
pub fn actions(conn: &mut DbConn, id: RequestId) -> DbResult<Vec<LinkedAction>> {
    Ok(dsr_actions::table
        .filter(dsr_actions::request_id.eq(id.0))
        .order((dsr_actions::created_at.asc(), dsr_actions::id.asc()))
        .select((
            dsr_actions::action,
            dsr_actions::object_kind,
            dsr_actions::object_id,
            dsr_actions::created_at,
        ))
        .load(conn)?)
}

/// Records that `action` (a fixed word such as "exported", "erased", "rectified") on the
/// object `object_kind`/`object_id` answered request `request_id`. Call inside the action's
/// own transaction. False when there is no such request (nothing is written).
pub fn link_action(
    conn: &mut DbConn,
    request_id: i64,
    action: &str,
    object_kind: &str,
    object_id: i64,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let exists = dsr_requests::table
        .find(request_id)
        .select(dsr_requests::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if !exists {
        return Ok(false);
    }
    let id = super::new_id(now.and_utc())?;
    diesel::insert_into(dsr_actions::table)
        .values((
            dsr_actions::id.eq(id),
            dsr_actions::request_id.eq(request_id),
            dsr_actions::action.eq(action),
            dsr_actions::object_kind.eq(object_kind),
            dsr_actions::object_id.eq(object_id),
            dsr_actions::created_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(dsr_requests::table.find(request_id))
        .set(dsr_requests::updated_at.eq(now))
        .execute(conn)?;
    Ok(true)
}
