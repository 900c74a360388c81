//! Staff accounts. The e-mail address is encrypted with the row id bound in.

use super::schema::{sessions, staff};
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing, normalise_email};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StaffId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "operator" => Some(Self::Operator),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
struct StaffRow {
    id: i64,
    username: String,
    email_enc: Option<Vec<u8>>,
    role: String,
    password_hash: String,
    disabled: bool,
    created_at: NaiveDateTime,
}

/// A staff account as the rest of the program sees it (e-mail decrypted on demand).
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: StaffId,
    pub username: String,
    pub role: Role,
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
        let role =
            Role::parse(&row.role).ok_or_else(|| DbError::Corrupt(format!("role {}", row.role)))?;
        Ok(Self {
            id: StaffId(row.id),
            username: row.username,
            role,
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

pub fn insert(
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
            staff::role.eq(new.role.as_str()),
            staff::password_hash.eq(new.password_hash),
            staff::disabled.eq(false),
            staff::created_at.eq(now),
            staff::updated_at.eq(now),
        ))
        .execute(conn)?;
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

/// Disables an account and ends all its sessions in one transaction.
pub fn disable(conn: &mut DbConn, id: StaffId, now: NaiveDateTime) -> DbResult<usize> {
    conn.transaction(|conn| {
        diesel::update(staff::table.find(id.0))
            .set((staff::disabled.eq(true), staff::updated_at.eq(now)))
            .execute(conn)?;
        let ended =
            diesel::delete(sessions::table.filter(sessions::staff_id.eq(id.0))).execute(conn)?;
        Ok(ended)
    })
}
