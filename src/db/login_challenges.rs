//! The half-finished login: the password was right, the second factor is still to come.
//! Only the SHA-256 of the challenge cookie is stored. A challenge grants nothing but the
//! second-step form, and never outlives a few minutes.

use super::schema::login_challenges;
use super::staff::StaffId;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone)]
pub struct Challenge {
    pub staff: StaffId,
    pub client_label: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    token_hash: &[u8],
    staff: StaffId,
    client_label: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(login_challenges::table)
        .values((
            login_challenges::token_hash.eq(token_hash),
            login_challenges::staff_id.eq(staff.0),
            login_challenges::client_label.eq(client_label),
            login_challenges::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The challenge if it exists and started after `not_before`; an older one is removed.
pub fn find_fresh(
    conn: &mut DbConn,
    token_hash: &[u8],
    not_before: NaiveDateTime,
) -> DbResult<Option<Challenge>> {
    let row: Option<(i64, Option<String>, NaiveDateTime)> = login_challenges::table
        .find(token_hash)
        .select((
            login_challenges::staff_id,
            login_challenges::client_label,
            login_challenges::created_at,
        ))
        .first(conn)
        .optional()?;
    match row {
        Some((staff, client_label, created_at)) if created_at >= not_before => {
            Ok(Some(Challenge {
                staff: StaffId(staff),
                client_label,
                created_at,
            }))
        }
        Some(_) => {
            delete(conn, token_hash)?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Removes a challenge; true if this call removed it (so one challenge yields one session
/// even when two requests complete it at once).
pub fn delete(conn: &mut DbConn, token_hash: &[u8]) -> DbResult<bool> {
    Ok(diesel::delete(login_challenges::table.find(token_hash)).execute(conn)? == 1)
}

/// Removes every challenge started before `before` (leftovers of abandoned logins).
pub fn delete_stale(conn: &mut DbConn, before: NaiveDateTime) -> DbResult<usize> {
    Ok(
        diesel::delete(login_challenges::table.filter(login_challenges::created_at.lt(before)))
            .execute(conn)?,
    )
}
