//! The register of data-subject requests (GDPR Art. 12-22): what was asked, when it is due,
//! who handles it and which actions (export, erasure, rectification) answered it. The
//! subject's reference, notes and reasons are encrypted with the row id bound in; the
//! actions table holds ids and fixed words only. Requests a visitor made through the chat's
//! self-service (`self_service`) hold no personal data at all: the conversation id is their
//! only link. Callers write the audit entry in the same transaction (`console::requests`).

use super::contacts::ContactId;
use super::schema::{contacts, dsr_requests};
use super::staff::StaffId;
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use crate::dsr::due;
use crate::dsr::{Channel, Kind, Status};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

mod actions;
mod write;

pub use actions::{LinkedAction, actions, link_action};
pub use write::{Change, NewRequest, create, self_service, update};

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
