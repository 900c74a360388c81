//! Rotation keeps the newest backup of each of the last N days and of each of the last M
//! ISO weeks, with backups made at moved clock times.

use crate::support::{Db, TestServer};
use chrono::{Datelike, Duration, TimeZone, Utc};

#[test]
fn rotation_keeps_n_daily_and_m_weekly() {
    let s = TestServer::start(Db::Sqlite);
    let mut config = s.config.clone();
    config.backup.keep_daily = 3;
    config.backup.keep_weekly = 2;
    // A Monday, then one backup a day for 16 days, and a second one on the last day.
    let start = Utc.with_ymd_and_hms(2026, 10, 5, 3, 0, 0).unwrap();
    assert_eq!(start.weekday(), chrono::Weekday::Mon);
    let mut times: Vec<_> = (0..16).map(|d| start + Duration::days(d)).collect();
    times.push(start + Duration::days(15) + Duration::hours(9));
    for t in &times {
        plauder::backup::create(&config, &s.state.db, &s.state.ring, *t).unwrap();
    }
    let dir = config.backup_dir();
    assert_eq!(super::files(&dir).len(), 17);
    let deleted = plauder::backup::rotate::rotate(&dir, &config.backup).unwrap();
    assert_eq!(deleted.len(), 14);
    let kept: Vec<String> = super::files(&dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // Days: 10-20 (the 12:00 one), 10-19, 10-18. Weeks: the newest of ISO week 43 (10-20
    // 12:00) and of week 42 (Sunday 10-18): both kept already as dailies.
    assert_eq!(
        kept,
        vec![
            "plauder-20261018T030000Z.pbak",
            "plauder-20261019T030000Z.pbak",
            "plauder-20261020T120000Z.pbak",
        ],
        "{kept:?}"
    );
    // With 4 weeks, week 41's newest (Sunday 10-11) stays, its Saturday goes.
    config.backup.keep_weekly = 4;
    for t in [start + Duration::days(6), start + Duration::days(5)] {
        plauder::backup::create(&config, &s.state.db, &s.state.ring, t).unwrap();
    }
    plauder::backup::rotate::rotate(&dir, &config.backup).unwrap();
    let kept: Vec<String> = super::files(&dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        kept.contains(&"plauder-20261011T030000Z.pbak".to_string()),
        "{kept:?}"
    );
    assert!(
        !kept.contains(&"plauder-20261010T030000Z.pbak".to_string()),
        "{kept:?}"
    );
    assert_eq!(kept.len(), 4, "{kept:?}");
}
