//! Server-wide settings made in the admin UI, stored as text per key. The module that owns a
//! key parses and validates its value (a bad stored value reads as the default there); this
//! one only stores. Keys are constants of their owners, never built from input.

use super::schema::app_settings;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The stored value of `key`, if one was set.
pub fn get(conn: &mut DbConn, key: &str) -> DbResult<Option<String>> {
    Ok(app_settings::table
        .find(key)
        .select(app_settings::value)
        .first::<String>(conn)
        .optional()?)
}

/// Sets `key` to `value`. Replace by delete and insert: upserts do not compile on the shared
/// connection. Call inside a transaction so that the pair is one change.
pub fn set(conn: &mut DbConn, key: &str, value: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::delete(app_settings::table.find(key)).execute(conn)?;
    diesel::insert_into(app_settings::table)
        .values((
            app_settings::key.eq(key),
            app_settings::value.eq(value),
            app_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
