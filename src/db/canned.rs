//! Canned responses: shared reply snippets (not personal data), stored in plain text.
//! Never holds anything a visitor typed: only what admins write for operators to reuse.

use super::schema::canned_responses as canned;
use super::{DbConn, DbError, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CannedId(pub i64);

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = canned)]
pub struct Canned {
    #[serde(serialize_with = "as_string")]
    pub id: i64,
    pub shortcut: String,
    pub body: String,
}

impl Canned {
    pub fn id(&self) -> CannedId {
        CannedId(self.id)
    }
}

// Ids exceed the 53 bits a JavaScript number holds exactly: the console gets strings.
fn as_string<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&id.to_string())
}

pub fn list(conn: &mut DbConn) -> DbResult<Vec<Canned>> {
    Ok(canned::table
        .order(canned::shortcut.asc())
        .select(Canned::as_select())
        .load(conn)?)
}

pub fn by_id(conn: &mut DbConn, id: CannedId) -> DbResult<Option<Canned>> {
    Ok(canned::table
        .find(id.0)
        .select(Canned::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_shortcut(conn: &mut DbConn, shortcut: &str) -> DbResult<Option<Canned>> {
    Ok(canned::table
        .filter(canned::shortcut.eq(shortcut))
        .select(Canned::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut DbConn,
    shortcut: &str,
    body: &str,
    now: NaiveDateTime,
) -> DbResult<CannedId> {
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
    Ok(CannedId(id))
}

/// Changes shortcut and text; false when the snippet is gone.
pub fn update(
    conn: &mut DbConn,
    id: CannedId,
    shortcut: &str,
    body: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(canned::table.find(id.0))
        .set((
            canned::shortcut.eq(shortcut),
            canned::body.eq(body),
            canned::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

pub fn delete(conn: &mut DbConn, id: CannedId) -> DbResult<bool> {
    Ok(diesel::delete(canned::table.find(id.0)).execute(conn)? == 1)
}

/// The shortcut's UNIQUE constraint fired: another admin saved the same shortcut between
/// our check and our write.
pub fn is_taken(e: &DbError) -> bool {
    matches!(
        e,
        DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}

/// The longest shortcut, without the leading `/`.
pub const MAX_SHORTCUT: usize = 32;

/// Validates a snippet; returns the field and the i18n key of the problem.
pub fn validate(
    shortcut: &str,
    body: &str,
) -> Result<(String, String), (&'static str, &'static str)> {
    let shortcut = shortcut.trim().trim_start_matches('/').to_lowercase();
    let ok = (1..=MAX_SHORTCUT).contains(&shortcut.len())
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

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn shortcut_and_body_are_checked_and_named() {
        assert_eq!(
            validate(" /Gruss ", " Hallo! "),
            Ok(("gruss".into(), "Hallo!".into()))
        );
        assert_eq!(validate("", "x").err().map(|e| e.0), Some("shortcut"));
        assert_eq!(validate("a b", "x").err().map(|e| e.0), Some("shortcut"));
        assert_eq!(validate("grüß", "x").err().map(|e| e.0), Some("shortcut"));
        assert_eq!(
            validate(&"a".repeat(33), "x").err().map(|e| e.0),
            Some("shortcut")
        );
        assert!(validate(&"a".repeat(32), "x").is_ok());
        assert_eq!(validate("ok", "  ").err().map(|e| e.0), Some("body"));
        assert_eq!(
            validate("ok", &"ä".repeat(4001)).err().map(|e| e.0),
            Some("body")
        );
        assert!(validate("ok", &"ä".repeat(4000)).is_ok());
    }
}
