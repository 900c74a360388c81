//! What a search asks for (`Filter`, the text's `Field`, the `Order`) and where a result list
//! continues (`Cursor`): plain values parsed from and written back into URLs, no SQL here.

use crate::db::conversations::Status;
use crate::db::person_index::Kind;
use crate::db::staff::StaffId;
use crate::db::teams::TeamId;
use crate::db::widgets::WidgetId;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Which field a text query is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    /// Guessed from the text: an `@` → e-mail; mostly digits → phone or customer id;
    /// anything else → name or customer id.
    #[default]
    Auto,
    Only(Kind),
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Only(kind) => kind.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "auto" => Some(Self::Auto),
            other => Kind::parse(other).map(Self::Only),
        }
    }

    /// The kinds a text is looked up as.
    pub fn kinds(self, text: &str) -> Vec<Kind> {
        match self {
            Self::Only(kind) => vec![kind],
            Self::Auto if text.contains('@') => vec![Kind::Email],
            Self::Auto => {
                let digits = text.chars().filter(char::is_ascii_digit).count();
                let letters = text.chars().filter(|c| c.is_alphabetic()).count();
                if digits >= 3 && letters == 0 {
                    vec![Kind::Phone, Kind::Customer]
                } else {
                    vec![Kind::Name, Kind::Customer]
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewestFirst => "desc",
            Self::OldestFirst => "asc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "desc" => Some(Self::NewestFirst),
            "asc" => Some(Self::OldestFirst),
            _ => None,
        }
    }
}

/// What to find. Every part is optional; an empty filter lists everything in reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub field: Field,
    /// First and last day (UTC) of the conversation's start, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub widget: Option<WidgetId>,
    pub team: Option<TeamId>,
    pub operator: Option<StaffId>,
    pub status: Option<Status>,
    /// A normalised tag (`db::tags::normalise`).
    pub tag: Option<String>,
    pub order: Order,
}

/// A position in a result list: the last row shown. In URLs as `<nanoseconds>_<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: NaiveDateTime,
    pub id: i64,
}

impl Cursor {
    pub fn to_param(self) -> String {
        let nanos = self.created_at.and_utc().timestamp_nanos_opt().unwrap_or(0);
        format!("{nanos}_{}", self.id)
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (nanos, id) = s.split_once('_')?;
        let nanos: i64 = nanos.parse().ok()?;
        Some(Self {
            created_at: DateTime::from_timestamp_nanos(nanos).naive_utc(),
            id: id.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_detects_the_kind() {
        assert_eq!(Field::Auto.kinds("Anna@x.de"), [Kind::Email]);
        assert_eq!(
            Field::Auto.kinds("+49 30 1234"),
            [Kind::Phone, Kind::Customer]
        );
        assert_eq!(
            Field::Auto.kinds("Anna Schmidt"),
            [Kind::Name, Kind::Customer]
        );
        assert_eq!(Field::Auto.kinds("K-42"), [Kind::Name, Kind::Customer]);
        assert_eq!(Field::Only(Kind::Phone).kinds("x@y"), [Kind::Phone]);
    }

    #[test]
    fn cursor_round_trips() {
        let at = DateTime::from_timestamp_nanos(1_790_000_000_123_456_789).naive_utc();
        let c = Cursor {
            created_at: at,
            id: 42,
        };
        assert_eq!(Cursor::parse(&c.to_param()), Some(c));
        for bad in ["", "_", "x_1", "1_x", "1", "' OR 1=1 --"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
