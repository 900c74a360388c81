//! The one decision every export and bulk deletion asks inside its own transaction, after
//! its permission and scope checks and before it writes or reads anything: does it run,
//! wait for a second person, or is it refused? It waits when the actor's role demands
//! approval (`role_required`) or when it reaches more conversations than the threshold
//! (`Policy`). Under an approval (`Gate::Approved`) it runs once: the approval is used up
//! in the same transaction, so a rolled-back action leaves it unused and a replay finds it
//! used. Audited: `approval_requested` when a request is stored, `approval_used` when one
//! is spent.

use super::{ApprovalId, Kind, NewApproval, Policy, consume, create, role_required};
use crate::access::Actor;
use crate::audit::{self, Action, Entry, Object, ObjectKind};
use crate::crypto::KeyRing;
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use chrono::{Duration, NaiveDateTime};

/// How the caller came.
#[derive(Debug, Clone, Copy)]
pub enum Gate<'a> {
    /// A path that cannot ask for approval: refused when one is needed.
    Refuse,
    /// The action as the user asked it; when approval is needed a request with these
    /// parameters is stored instead (they are sealed).
    Ask { params: &'a str },
    /// Run under this approval: the actor's own, approved, unexpired, unused, same kind.
    Approved(ApprovalId),
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Go,
    /// Stored as this request; nothing else may happen in the transaction.
    Waiting(ApprovalId),
}

pub fn object(id: ApprovalId) -> Object {
    Object::new(ObjectKind::Approval, Some(id.0))
}

/// Whether `actor` needs a second person's approval for `count` conversations.
pub fn needed(conn: &mut DbConn, actor: &Actor, count: u64) -> DbResult<bool> {
    Ok(role_required(conn, actor.role)? || Policy::load(conn)?.above(count))
}

/// Decides; see the module documentation. Call inside the action's transaction.
pub fn pass(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    kind: Kind,
    gate: Gate<'_>,
    count: u64,
) -> DbResult<Result<Passed, AppError>> {
    if let Gate::Approved(id) = gate {
        if !consume(conn, id, actor.staff, kind, now)? {
            return Ok(Err(AppError::BadRequest(
                "this approval cannot be used: it has expired, was used already or is not approved"
                    .into(),
            )));
        }
        audit::record(
            conn,
            ring,
            &Entry::new(now, actor.staff, Action::ApprovalUsed, object(id)),
        )?;
        return Ok(Ok(Passed::Go));
    }
    if !needed(conn, actor, count)? {
        return Ok(Ok(Passed::Go));
    }
    let Gate::Ask { params } = gate else {
        return Ok(Err(AppError::Forbidden(
            "this needs a second person's approval; ask for it from the console".into(),
        )));
    };
    let policy = Policy::load(conn)?;
    let new = NewApproval {
        kind,
        requester: actor.staff,
        params,
        conversations: i64::try_from(count).unwrap_or(i64::MAX),
        expires_at: now + Duration::hours(i64::from(policy.expiry_hours)),
    };
    let id = create(conn, ring, &new, now)?;
    audit::record(
        conn,
        ring,
        &Entry::new(now, actor.staff, Action::ApprovalRequested, object(id)),
    )?;
    Ok(Ok(Passed::Waiting(id)))
}
