//! The second step of a login for accounts with a second factor: a TOTP code or a recovery
//! code against the challenge the password step made. Failed codes count in the same login
//! throttle as failed passwords (account and address). Domain only; never logs a code.

use super::session::{LoginError, LoginOutcome, start_session};
use super::throttle::Throttle;
use super::{recovery, totp};
use crate::crypto::{KeyRing, normalise_username, sha256};
use crate::db::staff::{self, Staff};
use crate::db::{DbConn, DbResult, login_challenges, second_factor};
use chrono::{NaiveDateTime, TimeDelta};
use std::net::IpAddr;

/// How long the second-step form stays valid after the password.
pub const CHALLENGE_TTL: TimeDelta = TimeDelta::minutes(5);

/// What a typed second-factor code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// A current TOTP code, its step now used up.
    Totp,
    /// One of the recovery codes, now used up.
    Recovery,
    /// A TOTP code of a step already used.
    Replayed,
    Invalid,
}

impl CodeCheck {
    pub fn accepted(self) -> bool {
        matches!(self, Self::Totp | Self::Recovery)
    }
}

pub fn unix_secs(now: NaiveDateTime) -> u64 {
    u64::try_from(now.and_utc().timestamp()).unwrap_or(0)
}

/// Checks a code typed by a signed-in or signing-in account with an active factor and
/// uses it up. Six digits are tried as TOTP; anything shaped like a recovery code as one.
pub fn verify_code(
    conn: &mut DbConn,
    ring: &KeyRing,
    staff: &Staff,
    typed: &str,
    now: NaiveDateTime,
) -> DbResult<CodeCheck> {
    let Some(factor) = second_factor::get(conn, ring, staff.id)?.filter(|f| f.active()) else {
        return Ok(CodeCheck::Invalid);
    };
    if let Some(hash) = recovery::hash(ring, staff.id, typed) {
        return Ok(
            if second_factor::use_recovery_code(conn, staff.id, &hash, now)? {
                CodeCheck::Recovery
            } else {
                CodeCheck::Invalid
            },
        );
    }
    match totp::check(&factor.secret, typed, unix_secs(now), factor.last_step) {
        Ok(step) if second_factor::accept_step(conn, staff.id, step, now)? => Ok(CodeCheck::Totp),
        // Another request used this step between our read and the update.
        Ok(_) | Err(totp::TotpError::Replayed) => Ok(CodeCheck::Replayed),
        Err(_) => Ok(CodeCheck::Invalid),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecondStepError {
    /// Unknown, finished or older than `CHALLENGE_TTL`: sign in again.
    #[error("the sign-in has expired")]
    Expired,
    #[error("invalid code")]
    Invalid { replayed: bool },
    #[error(transparent)]
    Login(#[from] LoginError),
}

impl From<crate::db::DbError> for SecondStepError {
    fn from(e: crate::db::DbError) -> Self {
        Self::Login(LoginError::Db(e))
    }
}

/// The account a challenge belongs to, for the form (which shows nothing about it but
/// whether it exists).
pub fn pending(conn: &mut DbConn, challenge: &str, now: NaiveDateTime) -> DbResult<Option<Staff>> {
    let hash = sha256(challenge.as_bytes());
    let Some(ch) = login_challenges::find_fresh(conn, &hash, now - CHALLENGE_TTL)? else {
        return Ok(None);
    };
    Ok(staff::by_id(conn, ch.staff)?.filter(|s| !s.disabled))
}

/// Completes a login: the code must be right, the challenge fresh and not used before.
pub fn complete(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    challenge: &str,
    code: &str,
    client: Option<IpAddr>,
) -> Result<LoginOutcome, SecondStepError> {
    let hash = sha256(challenge.as_bytes());
    let Some(ch) = login_challenges::find_fresh(conn, &hash, now - CHALLENGE_TTL)? else {
        return Err(SecondStepError::Expired);
    };
    let Some(account) = staff::by_id(conn, ch.staff)?.filter(|s| !s.disabled) else {
        login_challenges::delete(conn, &hash)?;
        return Err(SecondStepError::Expired);
    };
    let throttle = Throttle::new(ring, &normalise_username(&account.username), client);
    if let Some(until) = throttle.blocked_until(conn, now)? {
        return Err(LoginError::Throttled {
            retry_after_secs: ((until - now).num_milliseconds() + 999)
                .div_euclid(1000)
                .max(1),
        }
        .into());
    }
    let check = verify_code(conn, ring, &account, code, now)?;
    if !check.accepted() {
        throttle.record_failure(conn, now)?;
        return Err(SecondStepError::Invalid {
            replayed: check == CodeCheck::Replayed,
        });
    }
    // One challenge, one session, even if two requests complete it at once.
    if !login_challenges::delete(conn, &hash)? {
        return Err(SecondStepError::Expired);
    }
    throttle.clear_account(conn)?;
    let token = start_session(conn, account.id, ch.client_label.as_deref(), now)?;
    Ok(LoginOutcome {
        token,
        staff: account,
        second_factor_pending: false,
    })
}
