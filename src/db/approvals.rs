//! Four-eyes approval (issue 8): requests to run an export or a bulk deletion that waits
//! for a second person (table `approvals`), the per-role flag that demands it
//! (`role_four_eyes`) and the settings for the threshold and the expiry (`app_settings`).
//! The parameters of a request are sealed with the row id bound in (a search filter can
//! hold an e-mail address) and emptied once the request is used, refused or expired.
//! State changes are conditional updates, so two clicks cannot approve twice or run twice.
//! `gate` decides, for an action about to run, whether it runs, waits or is refused.

pub mod gate;
mod rules;

pub use rules::*;

use super::schema::approvals;
use super::staff::StaffId;
use super::{DbConn, DbError, DbResult};
use crate::access::{Area, Permission};
use crate::crypto::{FieldRef, KeyRing};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApprovalId(pub i64);

/// What a request would run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Conversations as CSV or Excel (params: the export's query string).
    Export,
    /// One person's JSON package (params: `contact=ID` and an optional `request=ID`).
    ExportPerson,
    /// Bulk deletion of selected conversations (params: `id=..&id=..&request=..`).
    Delete,
    /// Erasure of a contact with all their conversations (params: `contact=ID&request=..`).
    EraseContact,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Export,
        Kind::ExportPerson,
        Kind::Delete,
        Kind::EraseContact,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::ExportPerson => "export_person",
            Self::Delete => "delete",
            Self::EraseContact => "erase_contact",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The permission the action needs; an approver must hold it too.
    pub fn permission(self) -> Permission {
        match self {
            Self::Export | Self::ExportPerson => Permission::Read(Area::Exports),
            Self::Delete | Self::EraseContact => Permission::Edit(Area::Deletions),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Refused,
    Used,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Pending,
        Status::Approved,
        Status::Refused,
        Status::Used,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Used => "used",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One request as stored; its parameters stay sealed until `params`.
#[derive(Debug, Clone)]
pub struct Approval {
    pub id: ApprovalId,
    pub kind: Kind,
    pub requester: StaffId,
    pub conversations: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub status: Status,
    pub approver: Option<StaffId>,
    pub decided_at: Option<NaiveDateTime>,
    pub used_at: Option<NaiveDateTime>,
    sealed: Vec<u8>,
}

impl Approval {
    /// Pending or approved, but past its time.
    pub fn expired(&self, now: NaiveDateTime) -> bool {
        matches!(self.status, Status::Pending | Status::Approved) && now >= self.expires_at
    }
}

type Row = (
    i64,
    String,
    i64,
    Vec<u8>,
    i64,
    NaiveDateTime,
    NaiveDateTime,
    String,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn columns() -> (
    approvals::id,
    approvals::kind,
    approvals::requester_id,
    approvals::params_enc,
    approvals::conversations,
    approvals::created_at,
    approvals::expires_at,
    approvals::status,
    approvals::approver_id,
    approvals::decided_at,
    approvals::used_at,
) {
    use approvals::*;
    (
        id,
        kind,
        requester_id,
        params_enc,
        conversations,
        created_at,
        expires_at,
        status,
        approver_id,
        decided_at,
        used_at,
    )
}

fn from_row(r: Row) -> DbResult<Approval> {
    let corrupt = |what: &str| DbError::Corrupt(format!("approval {}: {what}", r.0));
    Ok(Approval {
        id: ApprovalId(r.0),
        kind: Kind::parse(&r.1).ok_or_else(|| corrupt("kind"))?,
        requester: StaffId(r.2),
        sealed: r.3,
        conversations: r.4,
        created_at: r.5,
        expires_at: r.6,
        status: Status::parse(&r.7).ok_or_else(|| corrupt("status"))?,
        approver: r.8.map(StaffId),
        decided_at: r.9,
        used_at: r.10,
    })
}

fn field(id: i64) -> FieldRef<'static> {
    FieldRef {
        table: "approvals",
        column: "params",
        row_id: id,
    }
}

/// What a new request holds.
pub struct NewApproval<'a> {
    pub kind: Kind,
    pub requester: StaffId,
    pub params: &'a str,
    pub conversations: i64,
    pub expires_at: NaiveDateTime,
}

/// Stores a pending request. Call in the transaction that writes its audit entry.
pub fn create(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewApproval<'_>,
    now: NaiveDateTime,
) -> DbResult<ApprovalId> {
    forget_finished(conn, now)?;
    let id = super::new_id(now.and_utc())?;
    let sealed = ring.seal_str(field(id), new.params)?;
    diesel::insert_into(approvals::table)
        .values((
            approvals::id.eq(id),
            approvals::kind.eq(new.kind.as_str()),
            approvals::requester_id.eq(new.requester.0),
            approvals::params_enc.eq(sealed),
            approvals::conversations.eq(new.conversations),
            approvals::created_at.eq(now),
            approvals::expires_at.eq(new.expires_at),
            approvals::status.eq(Status::Pending.as_str()),
        ))
        .execute(conn)?;
    Ok(ApprovalId(id))
}

pub fn by_id(conn: &mut DbConn, id: ApprovalId) -> DbResult<Option<Approval>> {
    approvals::table
        .find(id.0)
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .transpose()
}

/// The request's parameters, decrypted; empty once it is finished.
pub fn params(ring: &KeyRing, approval: &Approval) -> DbResult<String> {
    if approval.sealed.is_empty() {
        return Ok(String::new());
    }
    Ok(ring.open_str(field(approval.id.0), &approval.sealed)?)
}

/// The newest requests that are pending, or were made by `me` (whatever their status), at
/// most `limit`. Who may decide which is the caller's question.
pub fn visible(
    conn: &mut DbConn,
    me: StaffId,
    limit: i64,
    now: NaiveDateTime,
) -> DbResult<Vec<Approval>> {
    forget_finished(conn, now)?;
    approvals::table
        .filter(
            approvals::status
                .eq(Status::Pending.as_str())
                .or(approvals::requester_id.eq(me.0)),
        )
        .order((approvals::created_at.desc(), approvals::id.desc()))
        .limit(limit)
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Approves or refuses a pending, unexpired request of someone else; `false` when it was
/// not in that state (decided already, expired, the approver's own, gone).
pub fn decide(
    conn: &mut DbConn,
    id: ApprovalId,
    approver: StaffId,
    approve: bool,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let status = if approve {
        Status::Approved
    } else {
        Status::Refused
    };
    let empty: Vec<u8> = Vec::new();
    let target = approvals::table
        .find(id.0)
        .filter(approvals::status.eq(Status::Pending.as_str()))
        .filter(approvals::requester_id.ne(approver.0))
        .filter(approvals::expires_at.gt(now));
    let changed = if approve {
        diesel::update(target)
            .set((
                approvals::status.eq(status.as_str()),
                approvals::approver_id.eq(approver.0),
                approvals::decided_at.eq(now),
            ))
            .execute(conn)?
    } else {
        // A refused request will never run: its parameters go now.
        diesel::update(target)
            .set((
                approvals::status.eq(status.as_str()),
                approvals::approver_id.eq(approver.0),
                approvals::decided_at.eq(now),
                approvals::params_enc.eq(empty),
            ))
            .execute(conn)?
    };
    Ok(changed == 1)
}

/// Uses up an approved, unexpired request of `requester`; `false` when it is not in that
/// state (used already, expired, someone else's). Call in the action's own transaction, so
/// a rolled-back action leaves the approval unused.
pub fn consume(
    conn: &mut DbConn,
    id: ApprovalId,
    requester: StaffId,
    kind: Kind,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let empty: Vec<u8> = Vec::new();
    let changed = diesel::update(
        approvals::table
            .find(id.0)
            .filter(approvals::status.eq(Status::Approved.as_str()))
            .filter(approvals::requester_id.eq(requester.0))
            .filter(approvals::kind.eq(kind.as_str()))
            .filter(approvals::expires_at.gt(now)),
    )
    .set((
        approvals::status.eq(Status::Used.as_str()),
        approvals::used_at.eq(now),
        approvals::params_enc.eq(empty),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Empties the parameters of requests past their time: they can never run.
fn forget_finished(conn: &mut DbConn, now: NaiveDateTime) -> DbResult<()> {
    let empty: Vec<u8> = Vec::new();
    diesel::update(approvals::table.filter(approvals::expires_at.le(now)))
        .filter(approvals::params_enc.ne(empty.clone()))
        .set(approvals::params_enc.eq(empty))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn threshold_zero_is_never() {
        let p = Policy::default();
        assert!(!p.above(1_000_000));
        let p = Policy { threshold: 10, ..p };
        assert!(!p.above(10));
        assert!(p.above(11));
    }
}
