//! How an operator appears to visitors: full name, first name only or an alias, and an
//! avatar (a shipped stock picture or an upload the server re-encoded). The full name and
//! the picture are encrypted with the key ring, staff id bound in.
//!
//! `shown_to_visitors` is the ONE way anything visitor-facing learns about an operator.
//! It must never return the real name when an alias is chosen, and never falls back to the
//! user name or the e-mail address: no name at all is the fallback.

use super::schema::operator_profiles;
use super::staff::StaffId;
use super::{DbConn, DbError, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ALIAS_CHARS: usize = 40;

/// The shipped stock avatars (SVG files under templates/widget/avatars/).
pub const STOCK: [&str; 6] = ["sun", "leaf", "wave", "star", "cloud", "heart"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownAs {
    Full,
    First,
    Alias,
}

impl ShownAs {
    pub const ALL: [ShownAs; 3] = [ShownAs::Full, ShownAs::First, ShownAs::Alias];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::First => "first",
            Self::Alias => "alias",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Avatar {
    None,
    Stock(&'static str),
    /// An uploaded picture, fetched by visitors under its random key.
    Upload {
        key: String,
    },
}

impl Avatar {
    /// The address visitors load the picture from.
    pub fn url(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::Stock(name) => Some(format!("/widget/avatar/stock/{name}.svg")),
            Self::Upload { key } => Some(format!("/widget/avatar/{key}.png")),
        }
    }
}

pub fn stock(name: &str) -> Option<&'static str> {
    STOCK.into_iter().find(|s| *s == name)
}

/// An operator's settings as the account page edits them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub full_name: Option<String>,
    pub shown_as: ShownAs,
    pub alias: Option<String>,
    pub avatar: Avatar,
}

impl Default for Profile {
    /// Privacy by default: first name only, no picture, until the operator chooses.
    fn default() -> Self {
        Self {
            full_name: None,
            shown_as: ShownAs::First,
            alias: None,
            avatar: Avatar::None,
        }
    }
}

/// What a visitor may see of an operator; nothing else about staff ever reaches them.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ShownOperator {
    /// None: the widget says "Operator" in the visitor's language.
    pub name: Option<String>,
    pub avatar: Option<String>,
}

impl Profile {
    /// The one rule for the name visitors see.
    pub fn shown_name(&self) -> Option<String> {
        let non_empty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        match self.shown_as {
            ShownAs::Alias => self.alias.as_deref().and_then(non_empty),
            ShownAs::Full => self.full_name.as_deref().and_then(non_empty),
            ShownAs::First => self
                .full_name
                .as_deref()
                .and_then(|n| n.split_whitespace().next())
                .and_then(non_empty),
        }
    }

    pub fn shown(&self) -> ShownOperator {
        ShownOperator {
            name: self.shown_name(),
            avatar: self.avatar.url(),
        }
    }
}

fn field(column: &'static str, staff: StaffId) -> FieldRef<'static> {
    FieldRef {
        table: "operator_profiles",
        column,
        row_id: staff.0,
    }
}

type Row = (
    Option<Vec<u8>>,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

fn load_row(conn: &mut DbConn, staff: StaffId) -> DbResult<Option<Row>> {
    Ok(operator_profiles::table
        .find(staff.0)
        .select((
            operator_profiles::full_name_enc,
            operator_profiles::shown_as,
            operator_profiles::alias,
            operator_profiles::avatar_kind,
            operator_profiles::avatar_stock,
            operator_profiles::avatar_key,
        ))
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConn, ring: &KeyRing, staff: StaffId) -> DbResult<Profile> {
    let Some((name_enc, shown_as, alias, kind, stock_name, key)) = load_row(conn, staff)? else {
        return Ok(Profile::default());
    };
    let full_name = name_enc
        .map(|c| ring.open_str(field("full_name", staff), &c))
        .transpose()?;
    let shown_as = ShownAs::parse(&shown_as)
        .ok_or_else(|| DbError::Corrupt(format!("shown_as {shown_as}")))?;
    let avatar = match (kind.as_str(), stock_name, key) {
        ("stock", Some(name), _) => stock(&name).map_or(Avatar::None, Avatar::Stock),
        ("upload", _, Some(key)) => Avatar::Upload { key },
        _ => Avatar::None,
    };
    Ok(Profile {
        full_name,
        shown_as,
        alias,
        avatar,
    })
}

/// What visitors may see of this operator: THE function every visitor-facing path calls.
pub fn shown_to_visitors(
    conn: &mut DbConn,
    ring: &KeyRing,
    staff: StaffId,
) -> DbResult<ShownOperator> {
    Ok(get(conn, ring, staff)?.shown())
}

/// Stores name, display choice and a stock avatar or none. `new_upload` (already
/// re-encoded PNG bytes) replaces the picture; `Avatar::Upload` without it keeps the stored
/// one. One delete and insert in a transaction (no upsert on the shared connection).
pub fn save(
    conn: &mut DbConn,
    ring: &KeyRing,
    staff: StaffId,
    profile: &Profile,
    new_upload: Option<&[u8]>,
    now: NaiveDateTime,
) -> DbResult<Profile> {
    let name_enc = profile
        .full_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| ring.seal_str(field("full_name", staff), n.trim()))
        .transpose()?;
    conn.transaction::<_, DbError, _>(|conn| {
        let kept: Option<(Option<Vec<u8>>, Option<String>)> = operator_profiles::table
            .find(staff.0)
            .select((operator_profiles::avatar_enc, operator_profiles::avatar_key))
            .first(conn)
            .optional()?;
        let (avatar_enc, avatar_key) = match (&profile.avatar, new_upload) {
            (_, Some(png)) => (
                Some(ring.seal(field("avatar", staff), png)?),
                Some(new_avatar_key()?),
            ),
            (Avatar::Upload { .. }, None) => match kept {
                Some((Some(enc), Some(key))) => (Some(enc), Some(key)),
                _ => (None, None),
            },
            _ => (None, None),
        };
        let kind = match (&profile.avatar, &avatar_key) {
            (Avatar::Stock(_), None) => "stock",
            (_, Some(_)) => "upload",
            _ => "none",
        };
        let stock_name = match &profile.avatar {
            Avatar::Stock(name) if kind == "stock" => Some(*name),
            _ => None,
        };
        diesel::delete(operator_profiles::table.find(staff.0)).execute(conn)?;
        diesel::insert_into(operator_profiles::table)
            .values((
                operator_profiles::staff_id.eq(staff.0),
                operator_profiles::full_name_enc.eq(name_enc),
                operator_profiles::shown_as.eq(profile.shown_as.as_str()),
                operator_profiles::alias.eq(profile.alias.as_deref().map(str::trim)),
                operator_profiles::avatar_kind.eq(kind),
                operator_profiles::avatar_stock.eq(stock_name),
                operator_profiles::avatar_enc.eq(avatar_enc),
                operator_profiles::avatar_key.eq(avatar_key),
                operator_profiles::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })?;
    get(conn, ring, staff)
}

/// 128 random bits as hex: the picture's public name, unguessable and new per upload.
fn new_avatar_key() -> DbResult<String> {
    Ok(crate::crypto::random_bytes::<16>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Whether a path segment can be an avatar key (checked before any query).
pub fn valid_avatar_key(key: &str) -> bool {
    key.len() == 32
        && key
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The uploaded picture under a key, decrypted; None for an unknown key.
pub fn avatar_png(conn: &mut DbConn, ring: &KeyRing, key: &str) -> DbResult<Option<Vec<u8>>> {
    let row: Option<(i64, Option<Vec<u8>>)> = operator_profiles::table
        .filter(operator_profiles::avatar_key.eq(key))
        .select((operator_profiles::staff_id, operator_profiles::avatar_enc))
        .first(conn)
        .optional()?;
    match row {
        Some((staff, Some(enc))) => Ok(Some(ring.open(field("avatar", StaffId(staff)), &enc)?)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(shown_as: ShownAs, full: Option<&str>, alias: Option<&str>) -> Profile {
        Profile {
            full_name: full.map(String::from),
            shown_as,
            alias: alias.map(String::from),
            avatar: Avatar::None,
        }
    }

    #[test]
    fn the_alias_never_falls_back_to_the_real_name() {
        let p = profile(ShownAs::Alias, Some("Anna Schmidt"), None);
        assert_eq!(p.shown_name(), None);
        let p = profile(ShownAs::Alias, Some("Anna Schmidt"), Some("  "));
        assert_eq!(p.shown_name(), None);
        let p = profile(ShownAs::Alias, Some("Anna Schmidt"), Some("Kiwi"));
        assert_eq!(p.shown_name().as_deref(), Some("Kiwi"));
    }

    #[test]
    fn full_and_first_name() {
        let p = profile(ShownAs::Full, Some(" Anna Maria Schmidt "), Some("Kiwi"));
        assert_eq!(p.shown_name().as_deref(), Some("Anna Maria Schmidt"));
        let p = profile(ShownAs::First, Some("Anna Maria Schmidt"), Some("Kiwi"));
        assert_eq!(p.shown_name().as_deref(), Some("Anna"));
        assert_eq!(profile(ShownAs::First, None, None).shown_name(), None);
        assert_eq!(Profile::default().shown(), ShownOperator::default());
    }

    #[test]
    fn avatar_urls() {
        assert_eq!(
            Avatar::Stock("leaf").url().as_deref(),
            Some("/widget/avatar/stock/leaf.svg")
        );
        assert_eq!(stock("../x"), None);
    }
}
