//! Staff accounts. The e-mail address is encrypted with the row id bound in. Changes of
//! role, teams and the disabled flag keep at least one active admin (checked inside the
//! same transaction); whether the actor may make them is `access::require`'s decision.

use super::roles::RoleId;
use super::schema::{roles, sessions, staff};
use super::teams::{self, DEFAULT_TEAM, TeamId};
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing, normalise_email};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StaffId(pub i64);

/// The built-in roles, as accounts are created with them (CLI, first start, tests).
pub use super::roles::Builtin as Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
struct StaffRow {
    id: i64,
    username: String,
    email_enc: Option<Vec<u8>>,
    role_id: i64,
    password_hash: String,
    disabled: bool,
    created_at: NaiveDateTime,
}

/// A staff account as the rest of the program sees it (e-mail decrypted on demand).
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: StaffId,
    pub username: String,
    pub role: RoleId,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    email_enc: Option<Vec<u8>>,
}

const EMAIL: &str = "email";

impl Staff {
    pub fn email(&self, ring: &KeyRing) -> DbResult<Option<String>> {
        let field = FieldRef {
            table: "staff",
            column: EMAIL,
            row_id: self.id.0,
        };
        self.email_enc
            .as_deref()
            .map(|c| ring.open_str(field, c))
            .transpose()
            .map_err(DbError::from)
    }
}

impl TryFrom<StaffRow> for Staff {
    type Error = DbError;
    fn try_from(row: StaffRow) -> DbResult<Self> {
        Ok(Self {
            id: StaffId(row.id),
            username: row.username,
            role: RoleId(row.role_id),
            password_hash: row.password_hash,
            disabled: row.disabled,
            created_at: row.created_at,
            email_enc: row.email_enc,
        })
    }
}

pub struct NewStaff<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub password_hash: &'a str,
}

/// Creates an account in the default team.
pub fn insert(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewStaff<'_>,
    now: NaiveDateTime,
) -> DbResult<StaffId> {
    conn.transaction(|conn| insert_in(conn, ring, new, now))
}

fn insert_in(
    conn: &mut DbConn,
    ring: &KeyRing,
    new: &NewStaff<'_>,
    now: NaiveDateTime,
) -> DbResult<StaffId> {
    let id = super::new_id(now.and_utc())?;
    let field = FieldRef {
        table: "staff",
        column: EMAIL,
        row_id: id,
    };
    let email_enc = new
        .email
        .map(|e| ring.seal_str(field, e.trim()))
        .transpose()?;
    let email_index = new
        .email
        .map(|e| ring.blind_index(EMAIL, &normalise_email(e)));
    diesel::insert_into(staff::table)
        .values((
            staff::id.eq(id),
            staff::username.eq(new.username),
            staff::email_enc.eq(email_enc),
            staff::email_index.eq(email_index),
            staff::role_id.eq(new.role.id().0),
            staff::password_hash.eq(new.password_hash),
            staff::disabled.eq(false),
            staff::created_at.eq(now),
            staff::updated_at.eq(now),
        ))
        .execute(conn)?;
    teams::set_of_staff(conn, StaffId(id), &[DEFAULT_TEAM])?;
    Ok(StaffId(id))
}

pub fn by_username(conn: &mut DbConn, username: &str) -> DbResult<Option<Staff>> {
    staff::table
        .filter(staff::username.eq(username))
        .select(StaffRow::as_select())
        .first(conn)
        .optional()?
        .map(Staff::try_from)
        .transpose()
}

pub fn by_id(conn: &mut DbConn, id: StaffId) -> DbResult<Option<Staff>> {
    staff::table
        .find(id.0)
        .select(StaffRow::as_select())
        .first(conn)
        .optional()?
        .map(Staff::try_from)
        .transpose()
}

pub fn list(conn: &mut DbConn) -> DbResult<Vec<Staff>> {
    staff::table
        .order(staff::username.asc())
        .select(StaffRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Staff::try_from)
        .collect()
}

pub fn count(conn: &mut DbConn) -> DbResult<i64> {
    Ok(staff::table.count().get_result(conn)?)
}

pub fn set_password(
    conn: &mut DbConn,
    id: StaffId,
    hash: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    conn.transaction(|conn| {
        let changed = diesel::update(staff::table.find(id.0))
            .set((staff::password_hash.eq(hash), staff::updated_at.eq(now)))
            .execute(conn)?;
        // A new password ends every session that knew the old one.
        diesel::delete(sessions::table.filter(sessions::staff_id.eq(id.0))).execute(conn)?;
        Ok(changed == 1)
    })
}

/// Why a change of an account was refused.
pub const LAST_ADMIN: &str = "the last active admin cannot be disabled or given another role";

/// Serialises every change that could remove an admin: a row lock on PostgreSQL, the write
/// lock on SQLite. Two admins demoting each other at once then cannot both succeed.
fn lock_admins(conn: &mut DbConn) -> DbResult<()> {
    let admin = super::roles::Builtin::Admin.id().0;
    diesel::update(roles::table.find(admin))
        .set(roles::updated_at.eq(roles::updated_at))
        .execute(conn)?;
    Ok(())
}

/// Active accounts holding the Admin role.
pub fn active_admins(conn: &mut DbConn) -> DbResult<i64> {
    Ok(staff::table
        .filter(staff::role_id.eq(super::roles::Builtin::Admin.id().0))
        .filter(staff::disabled.eq(false))
        .count()
        .get_result(conn)?)
}

/// Refuses if `target` is an active admin and the only one, and `still_admin` says it
/// would no longer be one.
fn keep_an_admin(conn: &mut DbConn, target: &Staff, still_admin: bool) -> DbResult<()> {
    let admin = super::roles::Builtin::Admin.id();
    if target.role == admin && !target.disabled && !still_admin && active_admins(conn)? <= 1 {
        return Err(DbError::Conflict(LAST_ADMIN));
    }
    Ok(())
}

/// Gives an account a role and teams in one transaction; `false` if there is no such
/// account. Refuses to leave the installation without an active admin.
pub fn set_access(
    conn: &mut DbConn,
    id: StaffId,
    role: RoleId,
    teams: &[TeamId],
    now: NaiveDateTime,
) -> DbResult<bool> {
    conn.transaction(|conn| {
        lock_admins(conn)?;
        let Some(target) = by_id(conn, id)? else {
            return Ok(false);
        };
        keep_an_admin(conn, &target, role == super::roles::Builtin::Admin.id())?;
        diesel::update(staff::table.find(id.0))
            .set((staff::role_id.eq(role.0), staff::updated_at.eq(now)))
            .execute(conn)?;
        teams::set_of_staff(conn, id, teams)?;
        Ok(true)
    })
}

/// Enables an account again; `false` if there is no such account.
pub fn enable(conn: &mut DbConn, id: StaffId, now: NaiveDateTime) -> DbResult<bool> {
    let changed = diesel::update(staff::table.find(id.0))
        .set((staff::disabled.eq(false), staff::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Disables an account and ends all its sessions in one transaction. Refuses to disable
/// the last active admin.
pub fn disable(conn: &mut DbConn, id: StaffId, now: NaiveDateTime) -> DbResult<usize> {
    conn.transaction(|conn| {
        lock_admins(conn)?;
        if let Some(target) = by_id(conn, id)? {
            keep_an_admin(conn, &target, false)?;
        }
        diesel::update(staff::table.find(id.0))
            .set((staff::disabled.eq(true), staff::updated_at.eq(now)))
            .execute(conn)?;
        let ended =
            diesel::delete(sessions::table.filter(sessions::staff_id.eq(id.0))).execute(conn)?;
        Ok(ended)
    })
}
