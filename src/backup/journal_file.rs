//! The erasure journal as a file beside the database (`<data_dir>/erasure-journal.log`), so
//! an erasure survives the loss of the live database: a restore of an older backup replays
//! it from here. One line per journal row, ids, action word and time only, never personal
//! data:
//!
//! ```text
//! v1 <journal id> <conversation id> <widget id> <contact id or -> <action> <erased_at, RFC 3339 UTC>
//! ```
//!
//! Lines are appended and fsynced only AFTER the erasure's commit, copied from the committed
//! `erasure_journal` table ([`sync`] appends every row the file lacks), so the file never
//! names an erasure that was rolled back (replaying that would erase data nobody asked to
//! erase). A crash between the commit and the append leaves the row only in the table; the
//! next [`sync`] (at server start, after every erasure event, once a minute, before each
//! backup and in a restore) appends it. Ids are compared as a set, not "newer than the last
//! line": ids are time-ordered but two transactions may commit out of order.

use super::BackupError;
use crate::db::DbConn;
use crate::db::erasure::{self, JournalRow};
use chrono::{DateTime, NaiveDateTime};
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "erasure-journal.log";

pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

pub fn format_line(row: &JournalRow) -> String {
    let contact = row.contact_id.map_or("-".to_string(), |c| c.to_string());
    format!(
        "v1 {} {} {} {} {} {}\n",
        row.id,
        row.conversation_id,
        row.widget_id,
        contact,
        row.action,
        row.erased_at
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

pub fn parse_line(line: &str) -> Option<JournalRow> {
    let mut parts = line.split_whitespace();
    if parts.next()? != "v1" {
        return None;
    }
    let id = parts.next()?.parse().ok()?;
    let conversation_id = parts.next()?.parse().ok()?;
    let widget_id = parts.next()?.parse().ok()?;
    let contact_id = match parts.next()? {
        "-" => None,
        c => Some(c.parse().ok()?),
    };
    let action = parts.next()?.to_string();
    if action.is_empty() || !action.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let erased_at: NaiveDateTime = DateTime::parse_from_rfc3339(parts.next()?)
        .ok()?
        .naive_utc();
    if parts.next().is_some() {
        return None;
    }
    Some(JournalRow {
        id,
        conversation_id,
        widget_id,
        contact_id,
        action,
        erased_at,
    })
}

/// Every row in a journal file's text; a torn last line (a crash mid-append) is skipped.
pub fn parse(text: &[u8]) -> Vec<JournalRow> {
    text.split(|b| *b == b'\n')
        .filter_map(|l| std::str::from_utf8(l).ok())
        .filter_map(parse_line)
        .collect()
}

/// The rows in the file at `path`; none when it does not exist.
pub fn read(path: &Path) -> Result<Vec<JournalRow>, BackupError> {
    match std::fs::File::open(path) {
        Ok(f) => {
            let mut rows = Vec::new();
            for line in std::io::BufReader::new(f).lines() {
                let line = line.map_err(BackupError::io("read the journal file"))?;
                rows.extend(parse_line(&line));
            }
            Ok(rows)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(BackupError::Io(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Appends rows to the file (created 0600), fsynced; a torn last line is ended first.
pub fn append(path: &Path, rows: &[JournalRow]) -> Result<(), BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    if rows.is_empty() {
        return Ok(());
    }
    let existed = path.exists();
    let torn = existed
        && std::fs::read(path)
            .map(|t| !t.is_empty() && !t.ends_with(b"\n"))
            .unwrap_or(false);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| BackupError::Io(format!("cannot open {}: {e}", path.display())))?;
    let mut text = String::new();
    if torn {
        text.push('\n');
    }
    for row in rows {
        text.push_str(&format_line(row));
    }
    let io = BackupError::io("append to the journal file");
    file.write_all(text.as_bytes()).map_err(&io)?;
    file.sync_all().map_err(&io)?;
    if !existed {
        super::sync_dir(path)?;
    }
    Ok(())
}

/// Appends every committed journal row the file lacks; returns how many. Call outside any
/// transaction (what it reads must be committed).
pub fn sync(conn: &mut DbConn, path: &Path) -> Result<usize, BackupError> {
    let known: HashSet<i64> = read(path)?.into_iter().map(|r| r.id).collect();
    let mut missing: Vec<JournalRow> = erasure::journal(conn, i64::MAX)?
        .into_iter()
        .filter(|r| !known.contains(&r.id))
        .collect();
    missing.sort_by_key(|r| (r.erased_at, r.id));
    append(path, &missing)?;
    Ok(missing.len())
}

/// Keeps the file in step with the table while the server runs: at start, after every
/// conversation change (erasures publish one after their commit) and once a minute.
pub fn follow(state: &crate::state::AppState) {
    let state = state.clone();
    let mut events = state.hub.bus.subscribe();
    actix_web::rt::spawn(async move {
        let path = path_in(&state.config.data_dir());
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut known_rows = -1i64;
        loop {
            tokio::select! {
                _ = tick.tick() => known_rows = -1,
                event = events.recv() => match event {
                    Ok(crate::chat::Event::ConversationChanged { .. }) => {}
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => known_rows = -1,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
            let path = path.clone();
            let done = state
                .blocking(move |conn, _| {
                    use diesel::prelude::*;
                    let rows: i64 = crate::db::schema::erasure_journal::table
                        .count()
                        .get_result(conn)?;
                    if rows == known_rows {
                        return Ok(Ok(rows));
                    }
                    Ok(sync(conn, &path).map(|_| rows))
                })
                .await;
            match done {
                Ok(Ok(rows)) => known_rows = rows,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "cannot copy the erasure journal to its file")
                }
                Err(e) => tracing::error!(error = %e, "cannot read the erasure journal"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_junk_is_skipped() {
        let row = JournalRow {
            id: 123,
            conversation_id: 0,
            widget_id: 0,
            contact_id: Some(77),
            action: "staff_erase".into(),
            erased_at: DateTime::parse_from_rfc3339("2026-11-27T10:00:00.123456Z")
                .unwrap()
                .naive_utc(),
        };
        let line = format_line(&row);
        assert_eq!(parse_line(&line), Some(row.clone()));
        let text = format!("{line}garbage\nv1 1 2 3 - erase 2026-11-27T10:00:00Z\nv1 9 9");
        let rows = parse(text.as_bytes());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], row);
        assert_eq!(rows[1].contact_id, None);
    }
}
