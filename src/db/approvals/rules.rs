//! Who must ask for approval: the per-role four-eyes flag (`role_four_eyes`) and the
//! threshold and expiry settings (`app_settings`).

use super::super::roles::RoleId;
use super::super::schema::role_four_eyes;
use super::super::{DbConn, DbResult, settings};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Whether members of the role need a second person's approval for every export and bulk
/// deletion. No row: not required.
pub fn role_required(conn: &mut DbConn, id: RoleId) -> DbResult<bool> {
    let required: Option<bool> = role_four_eyes::table
        .find(id.0)
        .select(role_four_eyes::required)
        .first(conn)
        .optional()?;
    Ok(required.unwrap_or(false))
}

/// Sets the role's four-eyes flag; `false` if there is no such role. Delete and insert: no
/// upsert on the shared connection.
pub fn set_role_required(
    conn: &mut DbConn,
    id: RoleId,
    required: bool,
    now: NaiveDateTime,
) -> DbResult<bool> {
    conn.transaction(|conn| {
        if super::super::roles::by_id(conn, id)?.is_none() {
            return Ok(false);
        }
        diesel::delete(role_four_eyes::table.find(id.0)).execute(conn)?;
        diesel::insert_into(role_four_eyes::table)
            .values((
                role_four_eyes::role_id.eq(id.0),
                role_four_eyes::required.eq(required),
                role_four_eyes::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Setting: an action on more conversations than this waits for approval; 0 = never.
pub const THRESHOLD_KEY: &str = "approvals.threshold";
/// Setting: hours a request stays open (to be approved, then to be run).
pub const EXPIRY_KEY: &str = "approvals.expiry_hours";
pub const DEFAULT_EXPIRY_HOURS: u32 = 24;
/// At most 30 days: an approval is for a case at hand, not a standing permission.
pub const MAX_EXPIRY_HOURS: u32 = 720;
pub const MAX_THRESHOLD: u32 = 1_000_000;

/// The settings of four-eyes approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// 0: no threshold.
    pub threshold: u32,
    pub expiry_hours: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            threshold: 0,
            expiry_hours: DEFAULT_EXPIRY_HOURS,
        }
    }
}

impl Policy {
    /// A stored value that does not parse reads as the default.
    pub fn load(conn: &mut DbConn) -> DbResult<Self> {
        let d = Self::default();
        let threshold = settings::get(conn, THRESHOLD_KEY)?
            .and_then(|v| v.parse().ok())
            .filter(|v| *v <= MAX_THRESHOLD)
            .unwrap_or(d.threshold);
        let expiry_hours = settings::get(conn, EXPIRY_KEY)?
            .and_then(|v| v.parse().ok())
            .filter(|v| (1..=MAX_EXPIRY_HOURS).contains(v))
            .unwrap_or(d.expiry_hours);
        Ok(Self {
            threshold,
            expiry_hours,
        })
    }

    pub fn store(self, conn: &mut DbConn, now: NaiveDateTime) -> DbResult<()> {
        settings::set(conn, THRESHOLD_KEY, &self.threshold.to_string(), now)?;
        settings::set(conn, EXPIRY_KEY, &self.expiry_hours.to_string(), now)
    }

    /// Whether `count` conversations are above the threshold.
    pub fn above(self, count: u64) -> bool {
        self.threshold > 0 && count > u64::from(self.threshold)
    }
}
