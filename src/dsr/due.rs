//! When a data-subject request must be answered: one month after receipt (Art. 12(3)
//! GDPR), extendable by up to two further months with a reason. Periods in months follow
//! Regulation 1182/71 Art. 3(2)(c): the period ends on the day of the last month with the
//! same date as the day of receipt, or on that month's last day when it has no such date
//! (31 January → 28 or 29 February; 31 March → 30 April). Every due date is counted from
//! the receipt, never from an earlier due date: 31 January + 3 months is 30 April, not
//! 28 February + 2 months = 28 April.

use chrono::{Months, NaiveDate};

/// The most an answer may be delayed beyond the first month.
pub const MAX_EXTENSION_MONTHS: u8 = 2;
/// Longest extension reason kept.
pub const MAX_REASON_CHARS: usize = 1000;

/// An extension of the answer period, with the reason the data subject must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    months: u8,
    reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionError {
    /// More than two further months.
    TooLong,
    /// No reason given (Art. 12(3): the data subject is told the reasons).
    NoReason,
    /// The reason is too long or holds control characters other than line breaks.
    BadReason,
}

impl Extension {
    /// An extension of `months` (1 or 2) with a non-empty reason.
    pub fn new(months: u8, reason: &str) -> Result<Self, ExtensionError> {
        if months == 0 || months > MAX_EXTENSION_MONTHS {
            return Err(ExtensionError::TooLong);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ExtensionError::NoReason);
        }
        let bad_char = |c: char| c.is_control() && c != '\n' && c != '\r' && c != '\t';
        if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(bad_char) {
            return Err(ExtensionError::BadReason);
        }
        Ok(Self {
            months,
            reason: reason.to_string(),
        })
    }

    pub fn months(&self) -> u8 {
        self.months
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The due date of a request received on `received`, extended by `extension` months
/// (0 to 2; more is capped at 2). `None` only past the end of the calendar chrono knows.
pub fn due_date(received: NaiveDate, extension: u8) -> Option<NaiveDate> {
    let months = 1 + u32::from(extension.min(MAX_EXTENSION_MONTHS));
    received.checked_add_months(Months::new(months))
}

/// Where a pending request stands against `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// The due date has passed.
    Overdue,
    /// Due within `SOON_DAYS` days (today included).
    Soon,
    Later,
}

/// How many days before the due date a request counts as due soon.
pub const SOON_DAYS: i64 = 7;

pub fn urgency(due: NaiveDate, today: NaiveDate) -> Urgency {
    let left = (due - today).num_days();
    if left < 0 {
        Urgency::Overdue
    } else if left <= SOON_DAYS {
        Urgency::Soon
    } else {
        Urgency::Later
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn one_month_ends_on_the_last_day_of_a_shorter_month() {
        assert_eq!(due_date(d(2027, 1, 31), 0), Some(d(2027, 2, 28)));
        assert_eq!(
            due_date(d(2028, 1, 31), 0),
            Some(d(2028, 2, 29)),
            "leap year"
        );
        assert_eq!(due_date(d(2027, 1, 30), 0), Some(d(2027, 2, 28)));
        assert_eq!(due_date(d(2028, 1, 30), 0), Some(d(2028, 2, 29)));
        assert_eq!(due_date(d(2027, 1, 28), 0), Some(d(2027, 2, 28)));
        assert_eq!(due_date(d(2027, 3, 30), 0), Some(d(2027, 4, 30)));
        assert_eq!(due_date(d(2027, 3, 31), 0), Some(d(2027, 4, 30)));
        assert_eq!(due_date(d(2026, 12, 31), 0), Some(d(2027, 1, 31)));
        assert_eq!(due_date(d(2027, 2, 28), 0), Some(d(2027, 3, 28)));
        assert_eq!(due_date(d(2028, 2, 29), 0), Some(d(2028, 3, 29)));
        assert_eq!(due_date(d(2027, 6, 15), 0), Some(d(2027, 7, 15)));
    }

    #[test]
    fn an_extension_counts_from_the_receipt_and_caps_at_three_months() {
        assert_eq!(due_date(d(2027, 1, 31), 1), Some(d(2027, 3, 31)));
        assert_eq!(due_date(d(2027, 1, 31), 2), Some(d(2027, 4, 30)));
        assert_eq!(due_date(d(2027, 11, 30), 2), Some(d(2028, 2, 29)));
        assert_eq!(due_date(d(2027, 1, 31), 9), Some(d(2027, 4, 30)), "capped");
        assert_eq!(due_date(d(2027, 12, 31), 2), Some(d(2028, 3, 31)));
    }

    #[test]
    fn an_extension_needs_a_reason_and_at_most_two_months() {
        let ok = Extension::new(2, "  many conversations to review ").unwrap();
        assert_eq!(
            (ok.months(), ok.reason()),
            (2, "many conversations to review")
        );
        assert_eq!(Extension::new(3, "x"), Err(ExtensionError::TooLong));
        assert_eq!(Extension::new(0, "x"), Err(ExtensionError::TooLong));
        assert_eq!(Extension::new(1, ""), Err(ExtensionError::NoReason));
        assert_eq!(Extension::new(1, " \n "), Err(ExtensionError::NoReason));
        assert_eq!(Extension::new(1, "a\u{0}b"), Err(ExtensionError::BadReason));
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(Extension::new(1, &long), Err(ExtensionError::BadReason));
    }

    #[test]
    fn the_end_of_the_calendar_is_no_panic() {
        assert_eq!(due_date(NaiveDate::MAX, 0), None);
    }

    #[test]
    fn urgency_by_days_left() {
        let today = d(2027, 3, 10);
        assert_eq!(urgency(d(2027, 3, 9), today), Urgency::Overdue);
        assert_eq!(urgency(d(2027, 3, 10), today), Urgency::Soon, "due today");
        assert_eq!(urgency(d(2027, 3, 17), today), Urgency::Soon);
        assert_eq!(urgency(d(2027, 3, 18), today), Urgency::Later);
    }
}
