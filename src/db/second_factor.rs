//! Storage of staff second factors: the TOTP secret (encrypted, staff id bound in), the
//! last accepted step, single-use recovery-code hashes, and which roles require a second
//! factor. Knows no HTTP. Never stores a code or a secret in the clear.

use super::schema::{role_second_factor, sessions, staff_recovery_codes, staff_second_factor};
use super::staff::{Staff, StaffId};
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use chrono::NaiveDateTime;
use diesel::prelude::*;

fn secret_field(staff: StaffId) -> FieldRef<'static> {
    FieldRef {
        table: "staff_second_factor",
        column: "secret",
        row_id: staff.0,
    }
}

/// The second factor of one account.
#[derive(Debug, Clone)]
pub struct SecondFactor {
    pub secret: Vec<u8>,
    /// None while enrolment waits for the first code.
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: Option<u64>,
}

impl SecondFactor {
    pub fn active(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

/// The key under which `role_second_factor` stores a role's flag: the role id as text.
pub fn role_key(staff: &Staff) -> String {
    staff.role.0.to_string()
}

pub fn get(conn: &mut DbConn, ring: &KeyRing, staff: StaffId) -> DbResult<Option<SecondFactor>> {
    let row: Option<(Vec<u8>, Option<NaiveDateTime>, Option<i64>)> = staff_second_factor::table
        .find(staff.0)
        .select((
            staff_second_factor::secret_enc,
            staff_second_factor::confirmed_at,
            staff_second_factor::last_step,
        ))
        .first(conn)
        .optional()?;
    row.map(|(enc, confirmed_at, last_step)| {
        Ok(SecondFactor {
            secret: ring.open(secret_field(staff), &enc)?,
            confirmed_at,
            last_step: last_step.and_then(|s| u64::try_from(s).ok()),
        })
    })
    .transpose()
}

/// Whether the account signs in with a second factor (cheap: no decryption).
pub fn is_active(conn: &mut DbConn, staff: StaffId) -> DbResult<bool> {
    let confirmed: Option<Option<NaiveDateTime>> = staff_second_factor::table
        .find(staff.0)
        .select(staff_second_factor::confirmed_at)
        .first(conn)
        .optional()?;
    Ok(confirmed.flatten().is_some())
}

/// Starts (or restarts) enrolment with a new secret. Refused while a confirmed factor
/// exists: replacing it needs the admin reset or a confirmed code first.
pub fn begin_enrolment(
    conn: &mut DbConn,
    ring: &KeyRing,
    staff: StaffId,
    secret: &[u8],
    now: NaiveDateTime,
) -> DbResult<()> {
    let sealed = ring.seal(secret_field(staff), secret)?;
    conn.transaction(|conn| {
        if is_active(conn, staff)? {
            return Err(DbError::Conflict("a second factor is active already"));
        }
        diesel::delete(staff_second_factor::table.find(staff.0)).execute(conn)?;
        diesel::insert_into(staff_second_factor::table)
            .values((
                staff_second_factor::staff_id.eq(staff.0),
                staff_second_factor::secret_enc.eq(sealed),
                staff_second_factor::confirmed_at.eq(None::<NaiveDateTime>),
                staff_second_factor::last_step.eq(None::<i64>),
                staff_second_factor::created_at.eq(now),
                staff_second_factor::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

fn step_value(step: u64) -> DbResult<i64> {
    i64::try_from(step).map_err(|_| DbError::Corrupt("time step out of range".into()))
}

/// Activates the pending factor with the step of the code that confirmed it and stores the
/// new recovery codes, in one transaction. False if nothing was pending.
pub fn confirm(
    conn: &mut DbConn,
    staff: StaffId,
    step: u64,
    recovery_hashes: &[Vec<u8>],
    now: NaiveDateTime,
) -> DbResult<bool> {
    let step = step_value(step)?;
    conn.transaction(|conn| {
        let changed = diesel::update(
            staff_second_factor::table
                .find(staff.0)
                .filter(staff_second_factor::confirmed_at.is_null()),
        )
        .set((
            staff_second_factor::confirmed_at.eq(now),
            staff_second_factor::last_step.eq(step),
            staff_second_factor::updated_at.eq(now),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Ok(false);
        }
        replace_recovery_codes(conn, staff, recovery_hashes, now)?;
        Ok(true)
    })
}

/// Records `step` as used, unless it or a later one was used already. The condition sits
/// in the UPDATE, so two requests racing with one code cannot both succeed.
pub fn accept_step(
    conn: &mut DbConn,
    staff: StaffId,
    step: u64,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let step = step_value(step)?;
    let changed = diesel::update(
        staff_second_factor::table
            .find(staff.0)
            .filter(staff_second_factor::confirmed_at.is_not_null())
            .filter(
                staff_second_factor::last_step
                    .is_null()
                    .or(staff_second_factor::last_step.lt(step)),
            ),
    )
    .set((
        staff_second_factor::last_step.eq(step),
        staff_second_factor::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Replaces all recovery codes of an account (one row each: no batch insert on the shared
/// connection). Call inside a transaction.
pub fn replace_recovery_codes(
    conn: &mut DbConn,
    staff: StaffId,
    hashes: &[Vec<u8>],
    now: NaiveDateTime,
) -> DbResult<()> {
    conn.transaction(|conn| {
        diesel::delete(
            staff_recovery_codes::table.filter(staff_recovery_codes::staff_id.eq(staff.0)),
        )
        .execute(conn)?;
        for hash in hashes {
            diesel::insert_into(staff_recovery_codes::table)
                .values((
                    staff_recovery_codes::id.eq(super::new_id(now.and_utc())?),
                    staff_recovery_codes::staff_id.eq(staff.0),
                    staff_recovery_codes::code_hash.eq(hash),
                    staff_recovery_codes::used_at.eq(None::<NaiveDateTime>),
                    staff_recovery_codes::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Uses up a recovery code; false if it is unknown or used. Conditional UPDATE: a code
/// raced in two requests is accepted once.
pub fn use_recovery_code(
    conn: &mut DbConn,
    staff: StaffId,
    hash: &[u8],
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(
        staff_recovery_codes::table
            .filter(staff_recovery_codes::staff_id.eq(staff.0))
            .filter(staff_recovery_codes::code_hash.eq(hash))
            .filter(staff_recovery_codes::used_at.is_null()),
    )
    .set(staff_recovery_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(changed >= 1)
}

pub fn unused_recovery_codes(conn: &mut DbConn, staff: StaffId) -> DbResult<i64> {
    Ok(staff_recovery_codes::table
        .filter(staff_recovery_codes::staff_id.eq(staff.0))
        .filter(staff_recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Removes an account's second factor and recovery codes in one transaction; with
/// `end_sessions` (an admin's reset) all its sessions end too, so the account signs in
/// again and enrols anew. Returns whether there was a factor.
pub fn reset(conn: &mut DbConn, staff: StaffId, end_sessions: bool) -> DbResult<bool> {
    conn.transaction(|conn| {
        let removed = diesel::delete(staff_second_factor::table.find(staff.0)).execute(conn)?;
        diesel::delete(
            staff_recovery_codes::table.filter(staff_recovery_codes::staff_id.eq(staff.0)),
        )
        .execute(conn)?;
        if end_sessions {
            diesel::delete(sessions::table.filter(sessions::staff_id.eq(staff.0))).execute(conn)?;
        }
        Ok(removed == 1)
    })
}

/// Whether members of a role must use a second factor.
pub fn required_for_role(conn: &mut DbConn, role_key: &str) -> DbResult<bool> {
    let required: Option<bool> = role_second_factor::table
        .find(role_key)
        .select(role_second_factor::required)
        .first(conn)
        .optional()?;
    Ok(required.unwrap_or(false))
}

/// Every role with a stored flag.
pub fn role_flags(conn: &mut DbConn) -> DbResult<Vec<(String, bool)>> {
    Ok(role_second_factor::table
        .select((role_second_factor::role_key, role_second_factor::required))
        .order(role_second_factor::role_key.asc())
        .load(conn)?)
}

/// Stores the flag of every listed role, all in one transaction (a half-applied table would
/// be worse than none). Delete and insert: no upsert on the shared connection.
pub fn set_role_flags(
    conn: &mut DbConn,
    flags: &[(String, bool)],
    now: NaiveDateTime,
) -> DbResult<()> {
    conn.transaction(|conn| {
        for (role_key, required) in flags {
            diesel::delete(role_second_factor::table.find(role_key)).execute(conn)?;
            diesel::insert_into(role_second_factor::table)
                .values((
                    role_second_factor::role_key.eq(role_key),
                    role_second_factor::required.eq(required),
                    role_second_factor::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// A signed-in account whose role requires a second factor it has not set up yet: it may
/// only enrol (or sign out) until it has.
pub fn enrolment_required(conn: &mut DbConn, staff: &Staff) -> DbResult<bool> {
    Ok(required_for_role(conn, &role_key(staff))? && !is_active(conn, staff.id)?)
}
