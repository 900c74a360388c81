//! How statistics show operators: by the name staff know them by (their user name),
//! anonymised ("Operator 1", "Operator 2", numbered within one report) or not at all. The
//! choice is the setting `statistics.operator_names` (`db::settings`), changed on the
//! settings page; a missing or unknown stored value reads as the default, anonymised.
//!
//! Anonymised numbers follow a hash of the staff id and the report's period, so they are
//! stable within a report (page and CSV of one period agree) and do not follow the order
//! in which accounts were made. They must never be derived from the name.

use crate::db::settings;
use crate::db::{DbConn, DbResult};
use chrono::NaiveDateTime;

/// The settings key this module owns.
pub const KEY: &str = "statistics.operator_names";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OperatorNames {
    Named,
    #[default]
    Anonymised,
    /// No operator-level figures at all (page and CSV).
    Omitted,
}

impl OperatorNames {
    pub const ALL: [OperatorNames; 3] = [Self::Named, Self::Anonymised, Self::Omitted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Named => "named",
            Self::Anonymised => "anonymised",
            Self::Omitted => "omitted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// The stored choice, or the default.
pub fn load(conn: &mut DbConn) -> DbResult<OperatorNames> {
    Ok(settings::get(conn, KEY)?
        .and_then(|v| OperatorNames::parse(&v))
        .unwrap_or_default())
}

/// Stores the choice; call inside the transaction that audits the change.
pub fn store(conn: &mut DbConn, value: OperatorNames, now: NaiveDateTime) -> DbResult<()> {
    settings::set(conn, KEY, value.as_str(), now)
}

/// The number (from 1) of each staff id in an anonymised report of `period` (any text that
/// names the period), in the order of a hash of id and period.
pub fn numbers(ids: &[i64], period: &str) -> Vec<(i64, usize)> {
    let mut keyed: Vec<(Vec<u8>, i64)> = ids
        .iter()
        .map(|id| {
            let text = format!("plauder statistics operator|{period}|{id}");
            let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
            (digest.as_ref().to_vec(), *id)
        })
        .collect();
    keyed.sort();
    keyed
        .into_iter()
        .enumerate()
        .map(|(i, (_, id))| (id, i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for v in OperatorNames::ALL {
            assert_eq!(OperatorNames::parse(v.as_str()), Some(v));
        }
        assert_eq!(OperatorNames::parse("Named"), None);
    }

    #[test]
    fn numbers_are_stable_within_a_period_and_cover_everyone() {
        let ids: Vec<i64> = (100..120).collect();
        let a = numbers(&ids, "2026-11-01..2026-11-30");
        assert_eq!(a, numbers(&ids, "2026-11-01..2026-11-30"));
        let mut seen: Vec<usize> = a.iter().map(|(_, n)| *n).collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=20).collect::<Vec<_>>());
        let by_id: Vec<i64> = a.iter().map(|(id, _)| *id).collect();
        assert_ne!(by_id, ids, "not the order of the ids");
        let other = numbers(&ids, "2026-10-01..2026-10-31");
        assert_ne!(a, other, "another period numbers differently");
    }
}
