//! The figures of a report, made from conversation facts (`db::statistics::Facts`): pure,
//! no database, no HTTP, so every rule here is unit-tested.
//!
//! Rules (the page says them too):
//! - A conversation counts on the day (UTC) it was created.
//! - Missed: left as an offline message, or closed without any operator reply before
//!   closing. Open conversations are not missed (yet).
//! - Time to first reply: from creation to the first operator message, for live chats (not
//!   offline messages) that got one. Duration: from creation to closing, for closed live
//!   chats.
//! - Median: the middle value (the mean of the two middle ones, rounded down, for an even
//!   count). p90: nearest rank, the smallest value at or above 90 % of the values.
//! - Per operator: conversations, missed and duration count for who holds the conversation;
//!   the first reply for who sent it.

use crate::db::statistics::Facts;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// What every line of a report shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub conversations: u64,
    pub missed: u64,
    /// Live chats with a first operator reply (the basis of the reply times).
    pub replied: u64,
    /// Seconds.
    pub first_reply_median: Option<i64>,
    pub first_reply_p90: Option<i64>,
    pub duration_median: Option<i64>,
}

/// Collects one line's conversations.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    conversations: u64,
    missed: u64,
    replies: Vec<i64>,
    durations: Vec<i64>,
}

pub fn missed(f: &Facts) -> bool {
    if f.offline {
        return true;
    }
    match f.closed_at {
        None => false,
        Some(closed) => f.first_reply_at.is_none_or(|r| r > closed),
    }
}

/// Seconds from creation to the first operator reply, for a live chat that got one.
pub fn first_reply_secs(f: &Facts) -> Option<i64> {
    let at = f.first_reply_at.filter(|_| !f.offline)?;
    Some((at - f.created_at).num_seconds().max(0))
}

/// Seconds from creation to closing, for a closed live chat.
pub fn duration_secs(f: &Facts) -> Option<i64> {
    let at = f.closed_at.filter(|_| !f.offline)?;
    Some((at - f.created_at).num_seconds().max(0))
}

impl Tally {
    /// Counts the conversation itself (its missed state and duration).
    pub fn count(&mut self, f: &Facts) {
        self.conversations += 1;
        self.missed += u64::from(missed(f));
        if let Some(d) = duration_secs(f) {
            self.durations.push(d);
        }
    }

    /// Counts its first reply.
    pub fn reply(&mut self, f: &Facts) {
        if let Some(r) = first_reply_secs(f) {
            self.replies.push(r);
        }
    }

    /// Both: for lines where the conversation and its reply belong together.
    pub fn add(&mut self, f: &Facts) {
        self.count(f);
        self.reply(f);
    }

    pub fn figures(&self) -> Figures {
        let mut replies = self.replies.clone();
        replies.sort_unstable();
        let mut durations = self.durations.clone();
        durations.sort_unstable();
        Figures {
            conversations: self.conversations,
            missed: self.missed,
            replied: replies.len() as u64,
            first_reply_median: median(&replies),
            first_reply_p90: nearest_rank(&replies, 90),
            duration_median: median(&durations),
        }
    }
}

/// The median of sorted values.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return Some(sorted[n / 2]);
    }
    Some((sorted[n / 2 - 1] + sorted[n / 2]).div_euclid(2))
}

/// The `pct`-th percentile of sorted values by nearest rank: the value at rank
/// ceil(pct/100 × n), counted from 1.
pub fn nearest_rank(sorted: &[i64], pct: usize) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (pct * n).div_ceil(100).clamp(1, n);
    Some(sorted[rank - 1])
}

/// ISO week of a day, as "2026-W48".
pub fn week_of(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The figures of a period: total, per day, per ISO week.
pub struct Series {
    pub total: Figures,
    pub days: Vec<(NaiveDate, Figures)>,
    pub weeks: Vec<(String, Figures)>,
}

/// Total, days and weeks over `days` (every day of the period, in order).
pub fn series(facts: &[Facts], days: impl Iterator<Item = NaiveDate>) -> Series {
    let mut total = Tally::default();
    let mut by_day: BTreeMap<NaiveDate, Tally> = days.map(|d| (d, Tally::default())).collect();
    for f in facts {
        total.add(f);
        if let Some(t) = by_day.get_mut(&f.created_at.date()) {
            t.add(f);
        }
    }
    // Weeks in order of their first day in the period.
    let mut weeks: Vec<(String, Tally)> = Vec::new();
    for day in by_day.keys() {
        let week = week_of(*day);
        if weeks.last().is_none_or(|(w, _)| *w != week) {
            weeks.push((week, Tally::default()));
        }
    }
    for f in facts {
        let week = week_of(f.created_at.date());
        if let Some((_, t)) = weeks.iter_mut().find(|(w, _)| *w == week) {
            t.add(f);
        }
    }
    Series {
        total: total.figures(),
        days: by_day.iter().map(|(d, t)| (*d, t.figures())).collect(),
        weeks: weeks
            .iter()
            .map(|(w, t)| (w.clone(), t.figures()))
            .collect(),
    }
}

/// Tallies by a key of each conversation (widget, team), in key order.
pub fn by<K: Ord>(facts: &[Facts], key: impl Fn(&Facts) -> Option<K>) -> BTreeMap<K, Tally> {
    let mut out: BTreeMap<K, Tally> = BTreeMap::new();
    for f in facts {
        if let Some(k) = key(f) {
            out.entry(k).or_default().add(f);
        }
    }
    out
}

/// Tallies per operator (staff id): the holder counts the conversation, the sender of the
/// first reply its reply time.
pub fn by_operator(facts: &[Facts]) -> BTreeMap<i64, Tally> {
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for f in facts {
        if let Some(holder) = f.operator_id {
            out.entry(holder).or_default().count(f);
        }
        if let Some(replier) = f.first_replier.filter(|_| f.first_reply_at.is_some()) {
            out.entry(replier).or_default().reply(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeDelta};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn facts(created: &str, reply: Option<i64>, closed: Option<i64>, offline: bool) -> Facts {
        let created = at(created);
        Facts {
            id: 1,
            widget_id: 1,
            operator_id: Some(7),
            offline,
            created_at: created,
            closed_at: closed.map(|s| created + TimeDelta::seconds(s)),
            first_reply_at: reply.map(|s| created + TimeDelta::seconds(s)),
            first_replier: reply.map(|_| 8),
        }
    }

    #[test]
    fn percentiles() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[10, 20]), Some(15));
        assert_eq!(median(&[10, 21]), Some(15), "rounded down");
        assert_eq!(median(&[1, 2, 9]), Some(2));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&[4], 90), Some(4));
        assert_eq!(nearest_rank(&[1, 2, 3], 90), Some(3));
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(nearest_rank(&twenty, 90), Some(18));
        assert_eq!(nearest_rank(&[], 90), None);
    }

    #[test]
    fn missed_replies_and_durations() {
        let answered = facts("2026-11-02 10:00:00", Some(30), Some(600), false);
        let unanswered_closed = facts("2026-11-02 11:00:00", None, Some(60), false);
        let open = facts("2026-11-03 09:00:00", None, None, false);
        let offline = facts("2026-11-09 09:00:00", Some(3600), Some(7200), true);
        assert!(!missed(&answered) && missed(&unanswered_closed) && !missed(&open));
        assert!(missed(&offline));
        assert_eq!(first_reply_secs(&offline), None, "offline: no reply time");
        assert_eq!(duration_secs(&offline), None);
        let all = [answered, unanswered_closed, open, offline];
        let days = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .iter_days()
            .take(10);
        let s = series(&all, days);
        assert_eq!(s.total.conversations, 4);
        assert_eq!(s.total.missed, 2);
        assert_eq!(s.total.replied, 1);
        assert_eq!(s.total.first_reply_median, Some(30));
        assert_eq!(s.total.duration_median, Some(330), "600 and 60");
        assert_eq!(s.days.len(), 10);
        assert_eq!(s.days[1].1.conversations, 2);
        assert_eq!(s.days[0].1, Figures::default());
        let weeks: Vec<&str> = s.weeks.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(weeks, ["2026-W44", "2026-W45", "2026-W46"]);
        assert_eq!(s.weeks[1].1.conversations, 3);
        let ops = by_operator(&all);
        assert_eq!(ops[&7].figures().conversations, 4);
        assert_eq!(ops[&7].figures().replied, 0);
        assert_eq!(ops[&8].figures().first_reply_median, Some(30));
        assert_eq!(ops[&8].figures().conversations, 0);
    }
}
