//! Login, session lookup with idle and absolute timeouts, logout.

use super::throttle::Throttle;
use crate::crypto::{KeyRing, normalise_username, sha256};
use crate::db::staff::{self, Staff};
use crate::db::{DbConn, DbError, sessions};
use chrono::{NaiveDateTime, TimeDelta};
use std::net::IpAddr;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub idle: TimeDelta,
    pub absolute: TimeDelta,
}

#[derive(Debug)]
pub struct LoginOutcome {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub staff: Staff,
    /// The password was right and the account uses a second factor: `token` is then the
    /// challenge of the second step (`second_step::complete`), not a session.
    pub second_factor_pending: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// One answer for unknown user, wrong password and disabled account.
    #[error("invalid user name or password")]
    Invalid,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<crate::crypto::CryptoError> for LoginError {
    fn from(e: crate::crypto::CryptoError) -> Self {
        Self::Db(DbError::Crypto(e))
    }
}

/// A valid session of an enabled staff member.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub staff: Staff,
    pub csrf: String,
    /// The role requires a second factor the account has not set up: until it has, the
    /// session may only enrol or sign out.
    pub must_enrol: bool,
}

pub fn login(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    username: &str,
    password: &str,
    client: Option<IpAddr>,
    client_label: Option<&str>,
) -> Result<LoginOutcome, LoginError> {
    let username = normalise_username(username);
    let throttle = Throttle::new(ring, &username, client);
    if let Some(until) = throttle.blocked_until(conn, now)? {
        return Err(LoginError::Throttled {
            // Round up: a client that waits this long must find the block lifted.
            retry_after_secs: ((until - now).num_milliseconds() + 999)
                .div_euclid(1000)
                .max(1),
        });
    }
    let account = staff::by_username(conn, &username)?;
    let valid = match &account {
        Some(s) => super::password::verify(&s.password_hash, password) && !s.disabled,
        None => {
            super::password::verify_dummy(password);
            false
        }
    };
    let Some(account) = account.filter(|_| valid) else {
        throttle.record_failure(conn, now)?;
        return Err(LoginError::Invalid);
    };
    if crate::db::second_factor::is_active(conn, account.id)? {
        // The account counter stays: knowing the password must not reset the count of
        // failed second factors.
        let challenge = super::random_token()?;
        crate::db::login_challenges::create(
            conn,
            &sha256(challenge.as_bytes()),
            account.id,
            client_label,
            now,
        )?;
        return Ok(LoginOutcome {
            token: challenge,
            staff: account,
            second_factor_pending: true,
        });
    }
    throttle.clear_account(conn)?;
    let token = start_session(conn, account.id, client_label, now)?;
    Ok(LoginOutcome {
        token,
        staff: account,
        second_factor_pending: false,
    })
}

/// A new session for an account whose login is complete; returns the cookie value.
pub(super) fn start_session(
    conn: &mut DbConn,
    staff: staff::StaffId,
    client_label: Option<&str>,
    now: NaiveDateTime,
) -> Result<String, LoginError> {
    let token = super::random_token()?;
    let csrf = super::random_token()?;
    sessions::create(
        conn,
        &sha256(token.as_bytes()),
        staff,
        &csrf,
        client_label,
        now,
    )?;
    Ok(token)
}

/// Finds the session for a cookie value; expired sessions and disabled accounts end here.
pub fn authenticate(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
    timeouts: Timeouts,
) -> Result<Option<SessionInfo>, DbError> {
    let hash = sha256(token.as_bytes());
    let Some(session) = sessions::find(conn, &hash)? else {
        return Ok(None);
    };
    let expired =
        now - session.last_seen_at > timeouts.idle || now - session.created_at > timeouts.absolute;
    let account = staff::by_id(conn, session.staff())?.filter(|s| !s.disabled);
    let Some(account) = account.filter(|_| !expired) else {
        sessions::delete(conn, &hash)?;
        return Ok(None);
    };
    // Writing on every request is wasteful; idle timeouts are minutes, not seconds.
    if now - session.last_seen_at > TimeDelta::seconds(15) {
        sessions::touch(conn, &hash, now)?;
    }
    let must_enrol = crate::db::second_factor::enrolment_required(conn, &account)?;
    Ok(Some(SessionInfo {
        staff: account,
        csrf: session.csrf_token,
        must_enrol,
    }))
}

pub fn logout(conn: &mut DbConn, token: &str) -> Result<(), DbError> {
    sessions::delete(conn, &sha256(token.as_bytes()))?;
    Ok(())
}
