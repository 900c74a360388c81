//! A report as one CSV table (the same figures as the page): one row per line, the kind
//! of line in `section` (total, day, week, team, widget, operator), times in whole seconds.
//! Every cell is quoted, and a cell a spreadsheet would take for a formula (starting with
//! = + - @, tab or carriage return: e.g. a widget named "=cmd") is prefixed with `'`.
//! Operator rows follow the naming setting; with "omitted" there are none.

use super::figures::Figures;
use super::naming::OperatorNames;
use super::report::{Line, Report};

pub const HEADER: [&str; 12] = [
    "section",
    "from",
    "to",
    "key",
    "name",
    "team",
    "conversations",
    "missed",
    "replied",
    "first_reply_median_seconds",
    "first_reply_p90_seconds",
    "duration_median_seconds",
];

/// A cell as written: formula-looking text neutralised.
pub fn neutral(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn row(
    report: &Report,
    section: &str,
    key: &str,
    name: &str,
    team: &str,
    f: &Figures,
) -> [String; 12] {
    [
        section.to_string(),
        report.period.from.to_string(),
        report.period.to.to_string(),
        key.to_string(),
        name.to_string(),
        team.to_string(),
        f.conversations.to_string(),
        f.missed.to_string(),
        f.replied.to_string(),
        opt(f.first_reply_median),
        opt(f.first_reply_p90),
        opt(f.duration_median),
    ]
}

fn lines<'a>(
    report: &'a Report,
    section: &'a str,
    lines: &'a [Line],
) -> impl Iterator<Item = [String; 12]> + 'a {
    lines
        .iter()
        .map(move |l| row(report, section, &l.key, &l.name, &l.team, &l.figures))
}

/// The whole file (a report is small: a year of days and one line per widget, team and
/// operator).
pub fn write(report: &Report) -> Result<Vec<u8>, ::csv::Error> {
    let mut out = ::csv::WriterBuilder::new()
        .quote_style(::csv::QuoteStyle::Always)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(HEADER)?;
    let s = &report.series;
    let mut rows = vec![row(report, "total", "", "", "", &s.total)];
    rows.extend(
        s.days
            .iter()
            .map(|(d, f)| row(report, "day", &d.to_string(), "", "", f)),
    );
    rows.extend(
        s.weeks
            .iter()
            .map(|(w, f)| row(report, "week", w, "", "", f)),
    );
    rows.extend(lines(report, "team", &report.teams));
    rows.extend(lines(report, "widget", &report.widgets));
    if report.naming != OperatorNames::Omitted {
        rows.extend(lines(report, "operator", &report.operators));
    }
    for r in rows {
        out.write_record(r.iter().map(|c| neutral(c)))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutral("=cmd"), "'=cmd");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutral(risky).starts_with('\''), "{risky}");
        }
        assert_eq!(neutral("Shop"), "Shop");
        assert_eq!(neutral("12"), "12");
    }
}
