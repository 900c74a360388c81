//! Server-side staff sessions. The table holds a hash of the cookie value, never the value.

use super::schema::sessions;
use super::staff::StaffId;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub token_hash: Vec<u8>,
    pub staff_id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    /// The coarse client at sign-in ("Firefox/Linux"), never the user agent itself.
    pub client_label: Option<String>,
}

impl SessionRow {
    pub fn staff(&self) -> StaffId {
        StaffId(self.staff_id)
    }
}

pub fn create(
    conn: &mut DbConn,
    token_hash: &[u8],
    staff: StaffId,
    csrf: &str,
    client_label: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::staff_id.eq(staff.0),
            sessions::csrf_token.eq(csrf),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::client_label.eq(client_label),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, token_hash: &[u8]) -> DbResult<Option<SessionRow>> {
    Ok(sessions::table
        .find(token_hash)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn touch(conn: &mut DbConn, token_hash: &[u8], now: NaiveDateTime) -> DbResult<()> {
    diesel::update(sessions::table.find(token_hash))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, token_hash: &[u8]) -> DbResult<usize> {
    Ok(diesel::delete(sessions::table.find(token_hash)).execute(conn)?)
}

pub fn count_for(conn: &mut DbConn, staff: StaffId) -> DbResult<i64> {
    Ok(sessions::table
        .filter(sessions::staff_id.eq(staff.0))
        .count()
        .get_result(conn)?)
}

/// Every session of one account, newest first.
pub fn list_for(conn: &mut DbConn, staff: StaffId) -> DbResult<Vec<SessionRow>> {
    Ok(sessions::table
        .filter(sessions::staff_id.eq(staff.0))
        .order(sessions::created_at.desc())
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// Ends one session of an account; false if it was not theirs or is gone.
pub fn delete_of(conn: &mut DbConn, staff: StaffId, token_hash: &[u8]) -> DbResult<bool> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::staff_id.eq(staff.0))
            .filter(sessions::token_hash.eq(token_hash)),
    )
    .execute(conn)?
        == 1)
}

/// Removes sessions idle since `idle_before` or started before `started_before`.
pub fn delete_expired(
    conn: &mut DbConn,
    idle_before: NaiveDateTime,
    started_before: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::last_seen_at
                .lt(idle_before)
                .or(sessions::created_at.lt(started_before)),
        ),
    )
    .execute(conn)?)
}
