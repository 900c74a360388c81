//! One-line hooks for existing actions: each runs the action together with its entry (one
//! transaction), so handlers and sockets stay thin. Sign-in is recorded right after its
//! step instead (password hashing must not hold the write lock), and a session it started
//! is ended again when the entry cannot be written. Records ids and fixed words only.

use super::{Action, Actor, Entry, Object, ObjectKind, Outcome};
use crate::auth::second_step::{self, SecondStepError};
use crate::auth::{LoginError, LoginOutcome};
use crate::crypto::KeyRing;
use crate::db::conversations::ConversationId;
use crate::db::dsr as db_dsr;
use crate::db::erasure::{self, Erased};
use crate::db::staff::{self, StaffId};
use crate::db::widgets::WidgetId;
use crate::db::{DbConn, DbResult};
use crate::dsr;
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
        let erased = erasure::erase(conn, id, action, now)?;
        if erased.is_some() {
            // The register of data-subject requests shows it, answered (ids only).
            let (kind, word) = match action {
                erasure::Action::Erase => (dsr::Kind::Erasure, "erased"),
                erasure::Action::Withdraw => (dsr::Kind::Objection, "consent_withdrawn"),
            };
            db_dsr::self_service(conn, kind, word, id.0, now)?;
        }
        Ok(erased)
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
        if !erasure::withdraw_and_close(conn, id, now)? {
            return Ok(None);
        }
        let kind = dsr::Kind::Objection;
        db_dsr::self_service(conn, kind, "consent_withdrawn", id.0, now)?;
        Ok(Some(()))
    })?;
    Ok(done.is_some())
}

/// Records a visitor's look at their own stored data in the register of data-subject
/// requests (an access request, answered now); call inside the read's transaction, once it
/// found the conversation.
pub fn self_service_access(
    conn: &mut DbConn,
    now: NaiveDateTime,
    id: ConversationId,
) -> DbResult<()> {
    db_dsr::self_service(conn, dsr::Kind::Access, "shown", id.0, now).map(|_| ())
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
/// entry first, with the reason the actor typed where their role demands one
/// (`access::reason_needed`); a refusal (not found, outside the actor's scope) is recorded
/// with its outcome instead, and nothing is read.
pub fn transcript<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    staff: StaffId,
    id: ConversationId,
    reason: Option<String>,
    work: impl FnOnce(&mut DbConn) -> DbResult<Result<T, crate::error::AppError>>,
) -> DbResult<Result<T, crate::error::AppError>> {
    let mut entry = Entry::new(
        now,
        staff,
        Action::ConversationViewed,
        Object::conversation(id),
    );
    entry.reason = reason;
    super::read_or(conn, ring, entry, work, outcome_of)
}

/// The entry of an admin's change to a staff account, a role or a team: ids and fixed
/// words only, never the names typed.
pub fn admin(now: NaiveDateTime, staff: StaffId, action: Action, object: Object) -> Entry {
    Entry::new(now, staff, action, object)
}

/// Runs an admin's change and records its entry in the same transaction, once `changed`
/// says the change found its object (a change of nothing leaves no entry). A refused change
/// (its error) takes nothing with it, and an entry that cannot be written undoes the change.
pub fn change<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    entry: &Entry,
    work: impl FnOnce(&mut DbConn) -> DbResult<T>,
    changed: impl FnOnce(&T) -> bool,
) -> DbResult<T> {
    crate::db::write_transaction(conn, |conn| {
        let value = work(conn)?;
        if changed(&value) {
            super::record(conn, ring, entry)?;
        }
        Ok(value)
    })
}

/// The entry of a change to a widget's settings (or its privacy settings and notices).
pub fn widget(now: NaiveDateTime, staff: StaffId, action: Action, id: WidgetId) -> Entry {
    Entry::new(now, staff, action, Object::widget(id))
}

/// The entry of a staff account change made on the server's command line.
pub fn by_system(now: NaiveDateTime, action: Action, staff: StaffId) -> Entry {
    Entry::new(now, Actor::System, action, Object::staff(staff))
}

/// Records a sign-in's password step after it ran: a session started → `login`; the right
/// password with a second factor still to come → nothing yet (the second step records);
/// a wrong name or password → `login_failed` about the account if the name exists (the
/// typed name itself is never kept); a throttled attempt → `login_throttled`. When the
/// entry cannot be written, a session just started is ended again: no sign-in without
/// its entry.
pub fn login(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    username: &str,
    outcome: Result<LoginOutcome, LoginError>,
) -> DbResult<Result<LoginOutcome, LoginError>> {
    let target = |conn: &mut DbConn| -> DbResult<Object> {
        let account = staff::by_username(conn, &crate::crypto::normalise_username(username))?;
        Ok(Object::new(ObjectKind::Staff, account.map(|s| s.id.0)))
    };
    let entry = match &outcome {
        Ok(ok) if ok.second_factor_pending => return Ok(outcome),
        Ok(ok) => Entry::new(now, ok.staff.id, Action::Login, Object::staff(ok.staff.id)),
        Err(LoginError::Invalid) => {
            Entry::new(now, Actor::Anonymous, Action::LoginFailed, target(conn)?)
                .outcome(Outcome::Failed)
        }
        Err(LoginError::Throttled { .. }) => {
            Entry::new(now, Actor::Anonymous, Action::LoginThrottled, target(conn)?)
                .outcome(Outcome::Denied)
        }
        Err(LoginError::Db(_)) => return Ok(outcome),
    };
    let session = outcome.as_ref().ok().map(|ok| ok.token.as_str());
    recorded_or_undone(conn, ring, &entry, session)?;
    Ok(outcome)
}

/// Records the second step of a sign-in after it ran: `login` with the session, or
/// `second_factor_failed` / `login_throttled` about the account of the challenge.
pub fn second_step(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    challenge: &str,
    outcome: Result<LoginOutcome, SecondStepError>,
) -> DbResult<Result<LoginOutcome, SecondStepError>> {
    let (action, result) = match &outcome {
        Ok(ok) => {
            let entry = Entry::new(now, ok.staff.id, Action::Login, Object::staff(ok.staff.id));
            recorded_or_undone(conn, ring, &entry, Some(&ok.token))?;
            return Ok(outcome);
        }
        Err(SecondStepError::Invalid { .. }) => (Action::SecondFactorFailed, Outcome::Failed),
        Err(SecondStepError::Login(LoginError::Throttled { .. })) => {
            (Action::LoginThrottled, Outcome::Denied)
        }
        Err(_) => return Ok(outcome),
    };
    let account = second_step::pending(conn, challenge, now)?;
    let object = Object::new(ObjectKind::Staff, account.map(|s| s.id.0));
    let entry = Entry::new(now, Actor::Anonymous, action, object).outcome(result);
    super::append(conn, ring, &entry)?;
    Ok(outcome)
}

/// Appends `entry`; on failure ends the session a successful sign-in started.
fn recorded_or_undone(
    conn: &mut DbConn,
    ring: &KeyRing,
    entry: &Entry,
    session: Option<&str>,
) -> DbResult<()> {
    if let Err(e) = super::append(conn, ring, entry) {
        if let Some(token) = session {
            crate::auth::logout(conn, token)?;
        }
        return Err(e);
    }
    Ok(())
}

/// The entry of signing out.
pub fn logout(now: NaiveDateTime, staff: StaffId) -> Entry {
    Entry::new(now, staff, Action::Logout, Object::staff(staff))
}
