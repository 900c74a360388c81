//! The audit view's filter: parsed from the query string with an error naming the field,
//! and written back into links (pages, export) unchanged.

use crate::audit::{Action, ObjectKind};
use crate::db::audit::Filter;
use crate::error::AppError;
use chrono::{NaiveDate, TimeDelta};
use serde::Deserialize;

/// The query string as sent; every field optional, empty means "any".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Query {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn bad(field: &str, why: &str) -> AppError {
    AppError::BadRequest(format!("{field}: {why}"))
}

fn date(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, AppError> {
    given(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| bad(field, "not a date (YYYY-MM-DD)"))
        })
        .transpose()
}

impl Query {
    /// The database filter and the page start; 400 naming the field on bad input.
    pub fn parse(&self) -> Result<(Filter, Option<i64>), AppError> {
        let mut filter = Filter::default();
        if let Some(actor) = given(&self.actor) {
            filter.actor = Some(match actor {
                "system" | "visitor" | "anonymous" => (actor.to_string(), None),
                _ => {
                    let id = actor
                        .strip_prefix("staff:")
                        .and_then(|id| id.parse::<i64>().ok())
                        .ok_or_else(|| bad("actor", "unknown actor"))?;
                    ("staff".to_string(), Some(id))
                }
            });
        }
        if let Some(action) = given(&self.action) {
            let action = Action::parse(action).ok_or_else(|| bad("action", "unknown action"))?;
            filter.action = Some(action.as_str().to_string());
        }
        if let Some(kind) = given(&self.object_type) {
            let kind =
                ObjectKind::parse(kind).ok_or_else(|| bad("object_type", "unknown object type"))?;
            filter.object_type = Some(kind.as_str().to_string());
        }
        if let Some(id) = given(&self.object_id) {
            filter.object_id = Some(
                id.parse::<i64>()
                    .map_err(|_| bad("object_id", "not a number"))?,
            );
        }
        let from = date("from", &self.from)?;
        let to = date("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                return Err(bad("to", "earlier than from"));
            }
        }
        filter.from = from.and_then(|d| d.and_hms_opt(0, 0, 0));
        // "to" is a whole day: entries before the next midnight.
        filter.until = to
            .and_then(|d| d.checked_add_signed(TimeDelta::days(1)))
            .and_then(|d| d.and_hms_opt(0, 0, 0));
        let before = given(&self.before)
            .map(|b| {
                b.parse::<i64>()
                    .ok()
                    .filter(|b| *b > 0)
                    .ok_or_else(|| bad("before", "not a positive number"))
            })
            .transpose()?;
        Ok((filter, before))
    }

    /// The filter as a query string (without the page start), for links.
    pub fn to_query_string(&self) -> String {
        let fields = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("object_type", &self.object_type),
            ("object_id", &self.object_id),
            ("from", &self.from),
            ("to", &self.to),
        ];
        fields
            .into_iter()
            .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", encode(v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The value of a field for the form, as typed.
    pub fn value(&self, field: &str) -> &str {
        let v = match field {
            "actor" => &self.actor,
            "action" => &self.action,
            "object_type" => &self.object_type,
            "object_id" => &self.object_id,
            "from" => &self.from,
            "to" => &self.to,
            _ => &None,
        };
        given(v).unwrap_or("")
    }
}

/// Percent-encoding for query values (RFC 3986 unreserved characters stay).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Query {
        let mut out = Query::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "actor" => out.actor = v,
                "action" => out.action = v,
                "object_type" => out.object_type = v,
                "object_id" => out.object_id = v,
                "from" => out.from = v,
                "to" => out.to = v,
                "before" => out.before = v,
                _ => panic!("unknown field {k}"),
            }
        }
        out
    }

    #[test]
    fn parses_and_names_the_bad_field() {
        let (f, before) = q(&[
            ("actor", "staff:7"),
            ("action", "login"),
            ("object_type", "conversation"),
            ("object_id", "42"),
            ("from", "2026-01-01"),
            ("to", "2026-01-01"),
            ("before", "99"),
        ])
        .parse()
        .unwrap();
        assert_eq!(f.actor, Some(("staff".into(), Some(7))));
        assert_eq!(f.object_id, Some(42));
        assert_eq!(before, Some(99));
        assert_eq!(
            f.until.unwrap() - f.from.unwrap(),
            TimeDelta::days(1),
            "to is inclusive"
        );
        for (field, value) in [
            ("actor", "root"),
            ("action", "drop"),
            ("object_type", "x"),
            ("object_id", "1x"),
            ("from", "01.01.2026"),
            ("before", "-1"),
        ] {
            let err = q(&[(field, value)]).parse().unwrap_err().to_string();
            assert!(err.contains(field), "{err}");
        }
        let err = q(&[("from", "2026-02-01"), ("to", "2026-01-01")])
            .parse()
            .unwrap_err();
        assert!(err.to_string().contains("to:"));
        assert_eq!(
            q(&[("actor", "staff:7"), ("before", "5"), ("from", "")]).to_query_string(),
            "actor=staff%3A7"
        );
    }
}
