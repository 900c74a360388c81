//! Rotation: keep the newest backup of each of the newest `keep_daily` days that have one,
//! and the newest backup of each of the newest `keep_weekly` ISO weeks that have one (the
//! two sets overlap; together they are what stays). Days and weeks are UTC. A file whose
//! header cannot be read is never deleted here: the admin page shows it as damaged.

use super::BackupError;
use super::create::{Listed, list};
use crate::config::BackupConfig;
use chrono::{Datelike, NaiveDateTime};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Which of these (name, created) backups rotation deletes.
pub fn plan(backups: &[(String, NaiveDateTime)], keep_daily: u32, keep_weekly: u32) -> Vec<String> {
    let mut sorted: Vec<&(String, NaiveDateTime)> = backups.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let mut keep: HashSet<&str> = HashSet::new();
    let mut days = HashSet::new();
    let mut weeks = HashSet::new();
    for (name, at) in &sorted {
        if days.len() < keep_daily as usize && days.insert(at.date()) {
            keep.insert(name);
        }
        let week = at.date().iso_week();
        if weeks.len() < keep_weekly as usize && weeks.insert((week.year(), week.week())) {
            keep.insert(name);
        }
    }
    sorted
        .iter()
        .filter(|(name, _)| !keep.contains(name.as_str()))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Deletes what the plan says; returns the deleted paths.
pub fn rotate(dir: &Path, config: &BackupConfig) -> Result<Vec<PathBuf>, BackupError> {
    let listed: Vec<Listed> = list(dir)?;
    let dated: Vec<(String, NaiveDateTime)> = listed
        .iter()
        .filter_map(|l| l.created.map(|c| (l.name.clone(), c)))
        .collect();
    let mut deleted = Vec::new();
    for name in plan(&dated, config.keep_daily, config.keep_weekly) {
        let path = dir.join(&name);
        std::fs::remove_file(&path)
            .map_err(|e| BackupError::Io(format!("cannot delete {}: {e}", path.display())))?;
        deleted.push(path);
    }
    if !deleted.is_empty() {
        super::sync_dir(&dir.join("x"))?;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn keeps_newest_per_day_and_per_iso_week() {
        // Daily at 03:00 for 40 days from Monday 2026-10-05, plus a second one on the last day.
        let start = at(2026, 10, 5, 3);
        let mut all: Vec<(String, NaiveDateTime)> = (0..40)
            .map(|i| {
                let t = start + chrono::Duration::days(i);
                (format!("b{i:02}"), t)
            })
            .collect();
        all.push(("b39-noon".into(), at(2026, 11, 13, 12)));
        let deleted = plan(&all, 3, 2);
        let kept: Vec<&String> = all
            .iter()
            .map(|(n, _)| n)
            .filter(|n| !deleted.contains(n))
            .collect();
        // Days: 11-13 (noon one), 11-12, 11-11. Weeks: the newest of ISO week 46 (the noon
        // one, already kept) and of week 45 (Sunday 11-08 = b34).
        assert_eq!(kept.len(), 4, "{kept:?}");
        for name in ["b39-noon", "b38", "b37", "b34"] {
            assert!(kept.iter().any(|k| *k == name), "{name} kept: {kept:?}");
        }
        assert!(deleted.contains(&"b39".to_string()));
        assert_eq!(plan(&all, 366, 0).len(), 1);
        assert!(plan(&[], 7, 4).is_empty());
    }
}
