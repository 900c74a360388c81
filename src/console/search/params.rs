//! The search form's query string as a `db::search::Filter`, and back into links. Shared
//! with the other endpoints the search page's buttons lead to (export, bulk delete), so the
//! same parameters mean the same filter everywhere.

use crate::db::conversations::Status;
use crate::db::search::{Cursor, Field, Filter, Order};
use crate::db::staff::StaffId;
use crate::db::teams::TeamId;
use crate::db::widgets::WidgetId;
use chrono::NaiveDate;

/// Longest search text, in characters. A longer one finds nothing (the index refuses
/// longer values, `person_index::MAX_VALUE`); the page says so (never an error page).
pub const MAX_QUERY: usize = 200;

/// A parsed query string.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub filter: Filter,
    /// Where the page starts (`after`), from a "next page" link.
    pub after: Option<Cursor>,
    /// The search text is longer than `MAX_QUERY`: it finds nothing, and the page says why.
    pub too_long: bool,
}

/// What a parameter must look like, for the 400 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

fn id(value: &str, what: &'static str) -> Result<Option<i64>, Invalid> {
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| Invalid(what))
}

fn date(value: &str) -> Result<Option<NaiveDate>, Invalid> {
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Invalid("dates are written YYYY-MM-DD"))
}

/// The search text as it is searched and shown again: control characters (NUL …) become
/// U+FFFD, so a text made of them still is a text, which finds nothing, rather than no
/// text, which would list everything (and export everything).
pub fn clean_text(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// Reads the search parameters of a query string's pairs; unknown keys (`id`, `format`, …
/// of other endpoints) are left alone. Bad search text is not an error (it finds nothing);
/// a malformed filter value is.
pub fn parse(pairs: &[(String, String)]) -> Result<Parsed, Invalid> {
    let mut p = Parsed::default();
    for (key, value) in pairs {
        let value = value.trim();
        match key.as_str() {
            "q" => {
                p.filter.text = clean_text(value);
                p.too_long = p.filter.text.chars().count() > MAX_QUERY;
            }
            "field" => {
                p.filter.field = Field::parse(value)
                    .ok_or(Invalid("field is auto, email, phone, customer or name"))?;
            }
            "from" => p.filter.from = date(value)?,
            "to" => p.filter.to = date(value)?,
            "widget" => p.filter.widget = id(value, "widget is a widget's number")?.map(WidgetId),
            "team" => p.filter.team = id(value, "team is a team's number")?.map(TeamId),
            "operator" => {
                p.filter.operator = id(value, "operator is a staff number")?.map(StaffId);
            }
            "status" if value.is_empty() => p.filter.status = None,
            "status" => {
                p.filter.status = Some(
                    Status::parse(value)
                        .ok_or(Invalid("status is waiting, active, offline or closed"))?,
                );
            }
            "tag" if value.is_empty() => p.filter.tag = None,
            // A tag that cannot exist finds nothing, like any other search text.
            "tag" => {
                p.filter.tag =
                    Some(crate::db::tags::normalise(value).unwrap_or_else(|| "\u{0}".to_string()));
            }
            "order" => {
                p.filter.order =
                    Order::parse(value).ok_or(Invalid("order is desc (newest first) or asc"))?;
            }
            "after" if value.is_empty() => p.after = None,
            "after" => {
                p.after = Some(Cursor::parse(value).ok_or(Invalid("after is a page position"))?);
            }
            _ => {}
        }
    }
    Ok(p)
}

/// Percent-encoding for a query string value (everything but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The filter as query-string pairs (without `after`), for links to further pages and to
/// the export and delete endpoints.
pub fn pairs(f: &Filter) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut push = |k, v: String| {
        if !v.is_empty() {
            out.push((k, v));
        }
    };
    push("q", f.text.clone());
    if f.field != Field::Auto {
        push("field", f.field.as_str().to_string());
    }
    push("from", f.from.map(|d| d.to_string()).unwrap_or_default());
    push("to", f.to.map(|d| d.to_string()).unwrap_or_default());
    push(
        "widget",
        f.widget.map(|w| w.0.to_string()).unwrap_or_default(),
    );
    push("team", f.team.map(|t| t.0.to_string()).unwrap_or_default());
    push(
        "operator",
        f.operator.map(|s| s.0.to_string()).unwrap_or_default(),
    );
    push(
        "status",
        f.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
    );
    push("tag", f.tag.clone().unwrap_or_default());
    if f.order != Order::NewestFirst {
        push("order", f.order.as_str().to_string());
    }
    out
}

/// `pairs` as an encoded query string (without the leading `?`).
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn round_trips_through_links() {
        let p = parse(&kv(&[
            ("q", " Anna & Co "),
            ("field", "name"),
            ("from", "2026-01-31"),
            ("status", "closed"),
            ("tag", " Billing "),
            ("order", "asc"),
            ("id", "7"),
        ]))
        .unwrap();
        assert_eq!(p.filter.text, "Anna & Co");
        assert_eq!(p.filter.tag.as_deref(), Some("billing"));
        let link = query_string(&pairs(&p.filter));
        assert_eq!(
            link,
            "q=Anna%20%26%20Co&field=name&from=2026-01-31&status=closed&tag=billing&order=asc"
        );
    }

    #[test]
    fn bad_text_is_no_error_but_bad_filters_are() {
        let long = "x".repeat(10_000);
        let p = parse(&kv(&[("q", &long)])).unwrap();
        assert!(
            p.too_long && p.filter.text == long,
            "kept: it finds nothing"
        );
        let p = parse(&kv(&[("q", "a\u{0}b\u{200F}")])).unwrap();
        assert_eq!(p.filter.text, "a\u{FFFD}b\u{200F}");
        assert!(parse(&kv(&[("widget", "' OR 1=1 --")])).is_err());
        assert!(parse(&kv(&[("from", "31.01.2026")])).is_err());
        assert!(parse(&kv(&[("after", "%")])).is_err());
    }
}
