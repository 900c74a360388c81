//! A signed-in user changes their own password: the current password must be right (a wrong
//! one counts in the login throttle, as a stolen session guessing it would), the new one
//! must pass the policy, and every OTHER session of the account ends in the same
//! transaction. Domain only; never logs a password.

use super::password::{self, PolicyError};
use super::session::LoginError;
use super::throttle::Throttle;
use crate::crypto::{KeyRing, normalise_username, sha256};
use crate::db::schema::{sessions, staff};
use crate::db::staff::Staff;
use crate::db::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::net::IpAddr;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("the current password is wrong")]
    WrongCurrent,
    #[error("the new passwords differ")]
    Mismatch,
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Login(#[from] LoginError),
}

impl From<DbError> for ChangeError {
    fn from(e: DbError) -> Self {
        Self::Login(LoginError::Db(e))
    }
}

pub struct Change<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub repeat: &'a str,
}

/// Changes the password; returns how many other sessions ended. `keep_token` is the cookie
/// value of the session making the change, which stays signed in.
pub fn change_own(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    account: &Staff,
    change: &Change<'_>,
    keep_token: &str,
    client: Option<IpAddr>,
) -> Result<usize, ChangeError> {
    let throttle = Throttle::new(ring, &normalise_username(&account.username), client);
    if let Some(until) = throttle.blocked_until(conn, now)? {
        return Err(LoginError::Throttled {
            retry_after_secs: ((until - now).num_milliseconds() + 999)
                .div_euclid(1000)
                .max(1),
        }
        .into());
    }
    if !password::verify(&account.password_hash, change.current) {
        throttle.record_failure(conn, now)?;
        return Err(ChangeError::WrongCurrent);
    }
    if change.new != change.repeat {
        return Err(ChangeError::Mismatch);
    }
    password::check_policy(change.new, &account.username)?;
    let hash = password::hash(change.new)
        .map_err(|e| DbError::Corrupt(format!("password hashing failed: {e}")))?;
    let keep = sha256(keep_token.as_bytes());
    let ended = conn
        .transaction(|conn| {
            diesel::update(staff::table.find(account.id.0))
                .set((staff::password_hash.eq(&hash), staff::updated_at.eq(now)))
                .execute(conn)?;
            // Whoever else knew the old password is out; this browser stays signed in.
            diesel::delete(
                sessions::table
                    .filter(sessions::staff_id.eq(account.id.0))
                    .filter(sessions::token_hash.ne(&keep)),
            )
            .execute(conn)
        })
        .map_err(DbError::from)?;
    Ok(ended)
}
