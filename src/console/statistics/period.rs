//! The period of a statistics report: whole UTC days from `from` to `to` (both included),
//! by default the last 30 days up to today, at most a year and a day. Bad input answers
//! 400 naming the field.

use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Deserialize;

/// Longest period, in days: a leap year.
pub const MAX_DAYS: i64 = 366;
/// The default period, in days, ending today.
pub const DEFAULT_DAYS: i64 = 30;

/// The query string as sent; empty fields mean the default.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Query {
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn bad(field: &str, why: &str) -> AppError {
    AppError::BadRequest(format!("{field}: {why}"))
}

fn date(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| bad(field, "not a date (YYYY-MM-DD)"))
        })
        .transpose()
}

impl Query {
    /// The period asked for; `today` (UTC) fills what is left out.
    pub fn parse(&self, today: NaiveDate) -> Result<Period, AppError> {
        let given_to = date("to", &self.to)?;
        let given_from = date("from", &self.from)?;
        let back = |d: NaiveDate| d.checked_sub_signed(TimeDelta::days(DEFAULT_DAYS - 1));
        let ahead = |d: NaiveDate| d.checked_add_signed(TimeDelta::days(DEFAULT_DAYS - 1));
        let (from, to) = match (given_from, given_to) {
            (Some(f), Some(t)) => (f, t),
            (Some(f), None) => (f, ahead(f).filter(|t| *t < today).unwrap_or(today)),
            (None, Some(t)) => (back(t).ok_or_else(|| bad("to", "out of range"))?, t),
            (None, None) => (back(today).ok_or_else(|| bad("to", "out of range"))?, today),
        };
        if to < from {
            return Err(bad("to", "earlier than from"));
        }
        if (to - from).num_days() + 1 > MAX_DAYS {
            return Err(bad("to", "a period is at most 366 days"));
        }
        let period = Period { from, to };
        // The end must be representable as a timestamp (next midnight).
        period.until().ok_or_else(|| bad("to", "out of range"))?;
        Ok(period)
    }
}

impl Period {
    /// Midnight (UTC) at the start of `from`.
    pub fn start(&self) -> NaiveDateTime {
        self.from.and_time(chrono::NaiveTime::MIN)
    }

    /// Midnight after `to`: the period is `[start, until)`.
    pub fn until(&self) -> Option<NaiveDateTime> {
        self.to
            .checked_add_signed(TimeDelta::days(1))
            .map(|d| d.and_time(chrono::NaiveTime::MIN))
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn q(from: &str, to: &str) -> Query {
        Query {
            from: Some(from.into()),
            to: Some(to.into()),
        }
    }

    #[test]
    fn defaults_to_the_last_30_days_and_bounds_the_length() {
        let today = d("2026-11-27");
        let p = Query::default().parse(today).unwrap();
        assert_eq!((p.from, p.to), (d("2026-10-29"), today));
        assert_eq!(p.days().count(), 30);
        let p = q("2026-01-01", "").parse(today).unwrap();
        assert_eq!((p.from, p.to), (d("2026-01-01"), d("2026-01-30")));
        let p = q("2026-11-20", "").parse(today).unwrap();
        assert_eq!(p.to, today, "never past today by default");
        let p = q("", "2026-03-01").parse(today).unwrap();
        assert_eq!(p.from, d("2026-01-31"));
        assert!(q("2025-01-01", "2025-12-31").parse(today).is_ok());
        assert!(
            q("2024-01-01", "2024-12-31").parse(today).is_ok(),
            "366 days"
        );
        let err = q("2024-01-01", "2025-01-01").parse(today).unwrap_err();
        assert!(err.to_string().contains("366"), "{err}");
        let err = q("2026-02-01", "2026-01-01").parse(today).unwrap_err();
        assert!(err.to_string().contains("to: earlier"), "{err}");
        for (from, to, field) in [("01.01.2026", "", "from"), ("", "2026-13-01", "to")] {
            let err = q(from, to).parse(today).unwrap_err().to_string();
            assert!(err.contains(field), "{err}");
        }
        assert!(q("", "9999-12-31").parse(today).is_ok());
        assert!(q("262143-12-01", "262143-12-31").parse(today).is_err());
    }
}
