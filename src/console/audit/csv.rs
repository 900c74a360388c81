//! CSV of audit entries as stored (words and ids, the MAC in hex) with staff user names,
//! safe to open in a spreadsheet: every cell is quoted, and a cell that a spreadsheet
//! would take for a formula (starting with = + - @, tab or carriage return) is prefixed
//! with an apostrophe.

use crate::db::audit::Row;

pub const HEADER: [&str; 12] = [
    "seq",
    "time_utc",
    "actor",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "reason",
    "detail",
    "mac",
];

/// One cell, quoted and neutralised.
pub fn cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

fn line(cells: &[String]) -> String {
    let mut out = cells.join(",");
    out.push_str("\r\n");
    out
}

pub fn header() -> String {
    line(&HEADER.map(cell))
}

/// One entry; `actor_name` is the staff member's user name (empty for other actors).
pub fn row(r: &Row, actor_name: &str) -> String {
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    line(
        &[
            r.seq.to_string(),
            r.at.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            r.actor.clone(),
            opt(r.actor_id),
            actor_name.to_string(),
            r.action.clone(),
            r.object_type.clone(),
            opt(r.object_id),
            r.outcome.clone(),
            r.reason.clone().unwrap_or_default(),
            r.detail.clone().unwrap_or_default(),
            r.mac.iter().map(|b| format!("{b:02x}")).collect(),
        ]
        .map(|v| cell(&v)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(risky).starts_with("\"'"), "{risky}");
        }
        assert_eq!(cell("login"), "\"login\"");
        // Negative ids are not produced, but would be neutralised as well.
        assert_eq!(cell("-5"), "\"'-5\"");
    }
}
