//! A report as the page shows it: every figure as text in the page's language, durations
//! in readable units, "—" where there is nothing to measure.

use super::figures::Figures;
use super::report::{Line, Report};
use crate::i18n::Tr;

/// One table row.
pub struct Row {
    pub name: String,
    pub team: String,
    pub conversations: u64,
    pub missed: u64,
    pub replied: u64,
    pub first_reply_median: String,
    pub first_reply_p90: String,
    pub duration_median: String,
}

/// A duration in the two largest units that matter ("45 s", "3 min 05 s", "2 h 10 min").
pub fn duration(t: Tr, secs: Option<i64>) -> String {
    let Some(s) = secs else {
        return "—".to_string();
    };
    let fill = |key: &str, a: i64, b: i64| {
        t.fill(key, &[("a", &a.to_string()), ("b", &format!("{b:02}"))])
    };
    match s {
        ..=59 => t.fill("statistics.fmt.s", &[("a", &s.to_string())]),
        60..=3599 => fill("statistics.fmt.min_s", s / 60, s % 60),
        3600..=86_399 => fill("statistics.fmt.h_min", s / 3600, s % 3600 / 60),
        _ => fill("statistics.fmt.d_h", s / 86_400, s % 86_400 / 3600),
    }
}

pub fn row(t: Tr, name: String, team: String, f: &Figures) -> Row {
    Row {
        name,
        team,
        conversations: f.conversations,
        missed: f.missed,
        replied: f.replied,
        first_reply_median: duration(t, f.first_reply_median),
        first_reply_p90: duration(t, f.first_reply_p90),
        duration_median: duration(t, f.duration_median),
    }
}

fn rows(t: Tr, lines: &[Line]) -> Vec<Row> {
    lines
        .iter()
        .map(|l| row(t, l.name.clone(), l.team.clone(), &l.figures))
        .collect()
}

/// Everything the template shows of a report.
pub struct Tables {
    pub total: Row,
    pub days: Vec<Row>,
    pub weeks: Vec<Row>,
    pub teams: Vec<Row>,
    pub widgets: Vec<Row>,
    pub operators: Vec<Row>,
}

pub fn tables(t: Tr, r: &Report) -> Tables {
    let s = &r.series;
    Tables {
        total: row(t, String::new(), String::new(), &s.total),
        days: s
            .days
            .iter()
            .map(|(d, f)| row(t, d.to_string(), String::new(), f))
            .collect(),
        weeks: s
            .weeks
            .iter()
            .map(|(w, f)| row(t, w.clone(), String::new(), f))
            .collect(),
        teams: rows(t, &r.teams),
        widgets: rows(t, &r.widgets),
        operators: rows(t, &r.operators),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn durations_read_well() {
        let t = Tr::new(Lang::En);
        assert_eq!(duration(t, None), "—");
        assert_eq!(duration(t, Some(45)), "45 s");
        assert_eq!(duration(t, Some(185)), "3 min 05 s");
        assert_eq!(duration(t, Some(7800)), "2 h 10 min");
        assert_eq!(duration(t, Some(90_000)), "1 d 01 h");
        assert_eq!(duration(Tr::new(Lang::De), Some(90_000)), "1 T 01 h");
    }
}
