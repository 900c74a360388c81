//! Canned responses: shared reply snippets (not personal data).

use super::schema::canned_responses as canned;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = canned)]
pub struct Canned {
    #[serde(serialize_with = "as_string")]
    pub id: i64,
    pub shortcut: String,
    pub body: String,
}

fn as_string<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&id.to_string())
}

pub fn list(conn: &mut DbConn) -> DbResult<Vec<Canned>> {
    Ok(canned::table
        .order(canned::shortcut.asc())
        .select(Canned::as_select())
        .load(conn)?)
}

pub fn by_shortcut(conn: &mut DbConn, shortcut: &str) -> DbResult<Option<Canned>> {
    Ok(canned::table
        .filter(canned::shortcut.eq(shortcut))
        .select(Canned::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConn, shortcut: &str, body: &str, now: NaiveDateTime) -> DbResult<i64> {
    let id = super::new_id(now.and_utc())?;
    diesel::insert_into(canned::table)
        .values((
            canned::id.eq(id),
            canned::shortcut.eq(shortcut),
            canned::body.eq(body),
            canned::created_at.eq(now),
            canned::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn delete(conn: &mut DbConn, id: i64) -> DbResult<bool> {
    Ok(diesel::delete(canned::table.find(id)).execute(conn)? == 1)
}

/// Validates a new snippet; returns the i18n key of the problem and the field it concerns.
pub fn validate(
    shortcut: &str,
    body: &str,
) -> Result<(String, String), (&'static str, &'static str)> {
    let shortcut = shortcut.trim().trim_start_matches('/').to_lowercase();
    let ok = (1..=32).contains(&shortcut.len())
        && shortcut
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(("shortcut", "canned.error.shortcut"));
    }
    let body = body.trim().to_string();
    if body.is_empty() || body.chars().count() > crate::chat::MAX_TEXT_CHARS {
        return Err(("body", "canned.error.body"));
    }
    Ok((shortcut, body))
}
