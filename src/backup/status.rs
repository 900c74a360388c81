//! Whether backups are current, for the admin page and the dashboard: the newest backup
//! file in the directory (files exist only once complete) must be at most two days old.

use super::create::{Listed, list};
use chrono::{Duration, NaiveDateTime};
use std::path::Path;

/// Older than this, the admin page and the dashboard warn.
pub const STALE_AFTER_HOURS: i64 = 48;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    /// Creation time of the newest readable backup.
    pub last: Option<NaiveDateTime>,
    pub stale: bool,
}

pub fn of_listed(listed: &[Listed], now: NaiveDateTime) -> Freshness {
    let last = listed.iter().filter_map(|l| l.created).max();
    Freshness {
        last,
        stale: last.is_none_or(|t| now - t > Duration::hours(STALE_AFTER_HOURS)),
    }
}

/// Reads the directory (headers only).
pub fn freshness(dir: &Path, now: NaiveDateTime) -> Freshness {
    of_listed(&list(dir).unwrap_or_default(), now)
}
