//! One-line hooks for existing actions: each runs the action together with its entry (one
//! transaction), so handlers and sockets stay thin. Records ids and fixed words only.

use super::{Action, Actor, Entry, Object, Outcome};
use crate::crypto::KeyRing;
use crate::db::conversations::ConversationId;
use crate::db::erasure::{self, Erased};
use crate::db::staff::StaffId;
use crate::db::widgets::WidgetId;
use crate::db::{DbConn, DbResult};
use chrono::NaiveDateTime;

/// A visitor's self-service deletion (erase, or withdrawal under the delete-now policy);
/// `None` when the conversation is gone already.
pub fn erase(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    id: ConversationId,
    action: erasure::Action,
) -> DbResult<Option<Erased>> {
    let what = match action {
        erasure::Action::Erase => Action::SelfServiceErased,
        erasure::Action::Withdraw => Action::ConsentWithdrawn,
    };
    let entry = Entry::new(now, Actor::Visitor, what, Object::conversation(id));
    super::read(conn, ring, entry, |conn| {
        erasure::erase(conn, id, action, now)
    })
}

/// A visitor's withdrawal under the keep-until-retention policy; `false` when the
/// conversation is gone.
pub fn withdraw_and_close(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    id: ConversationId,
) -> DbResult<bool> {
    let entry = Entry::new(
        now,
        Actor::Visitor,
        Action::ConsentWithdrawn,
        Object::conversation(id),
    );
    let done = super::read(conn, ring, entry, |conn| {
        Ok(erasure::withdraw_and_close(conn, id, now)?.then_some(()))
    })?;
    Ok(done.is_some())
}

/// The entry of a visitor's look at their own stored data.
pub fn self_service_shown(now: NaiveDateTime, id: ConversationId) -> Entry {
    Entry::new(
        now,
        Actor::Visitor,
        Action::SelfServiceShown,
        Object::conversation(id),
    )
}

/// The outcome an error of a refused read stands for (`audit::read_or`).
pub fn outcome_of(error: &crate::error::AppError) -> Outcome {
    use crate::error::AppError;
    match error {
        AppError::NotFound => Outcome::NotFound,
        AppError::Forbidden(_) | AppError::LoginRequired | AppError::TooMany(_) => Outcome::Denied,
        _ => Outcome::Failed,
    }
}

/// The entry of a conversation opened in the live operator console.
pub fn opened(now: NaiveDateTime, staff: StaffId, id: ConversationId) -> Entry {
    Entry::new(
        now,
        staff,
        Action::ConversationOpened,
        Object::conversation(id),
    )
}

/// A staff member's audited read of a conversation's transcript (`audit::read_or`): the
/// entry first; a refusal (not found, outside the actor's scope) is recorded with its
/// outcome instead, and nothing is read.
pub fn transcript<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    staff: StaffId,
    id: ConversationId,
    work: impl FnOnce(&mut DbConn) -> DbResult<Result<T, crate::error::AppError>>,
) -> DbResult<Result<T, crate::error::AppError>> {
    let entry = Entry::new(
        now,
        staff,
        Action::ConversationViewed,
        Object::conversation(id),
    );
    super::read_or(conn, ring, entry, work, outcome_of)
}

/// The entry of a change to a widget's settings (or its privacy settings and notices).
pub fn widget(now: NaiveDateTime, staff: StaffId, action: Action, id: WidgetId) -> Entry {
    Entry::new(now, staff, action, Object::widget(id))
}

/// The entry of a staff account change made on the server's command line.
pub fn by_system(now: NaiveDateTime, action: Action, staff: StaffId) -> Entry {
    Entry::new(now, Actor::System, action, Object::staff(staff))
}
