//! Writing the register: a request staff record, a visitor's self-service action, and the
//! changes staff make; personal values are sealed before they reach a row.

use super::{RequestId, by_id, field, link_action};
use crate::crypto::KeyRing;
use crate::db::contacts::ContactId;
use crate::db::schema::dsr_requests;
use crate::db::staff::StaffId;
use crate::db::{DbConn, DbError, DbResult};
use crate::dsr::due::{self, Extension};
use crate::dsr::{Channel, Kind, Status};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

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
    let id = crate::db::new_id(now.and_utc())?;
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
    let id = crate::db::new_id(now.and_utc())?;
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
