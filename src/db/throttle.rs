//! Counters of failed logins. Subjects are keyed hashes, so no name or address is stored.

use super::schema::login_throttle;
use super::{DbConn, DbError, DbResult};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// Failures allowed before delays start.
pub const FREE_FAILURES: i32 = 5;
const MAX_DELAY_SECS: i64 = 15 * 60;

/// When the subject may try again, if it is blocked now.
pub fn blocked_until(
    conn: &mut DbConn,
    subject: &[u8],
    now: NaiveDateTime,
) -> DbResult<Option<NaiveDateTime>> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find(subject)
        .select(login_throttle::blocked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().filter(|t| *t > now))
}

/// Counts a failure; from the sixth on, blocks for 1 s, 2 s, 4 s … up to 15 minutes.
/// Two first failures of one subject at once (one client address, several tabs) both find
/// no row on PostgreSQL and both insert: the loser's unique violation is retried once, and
/// then finds the winner's row.
pub fn record_failure(conn: &mut DbConn, subject: &[u8], now: NaiveDateTime) -> DbResult<i32> {
    match count_failure(conn, subject, now) {
        Err(DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => count_failure(conn, subject, now),
        other => other,
    }
}

fn count_failure(conn: &mut DbConn, subject: &[u8], now: NaiveDateTime) -> DbResult<i32> {
    // A write transaction from the start: SQLite refuses to upgrade a read to a write
    // while another connection writes ("database is locked"), instead of waiting. The
    // count goes up in the UPDATE itself, so on PostgreSQL two failures at once never
    // both write "previous + 1": the second waits for the first's row lock.
    super::write_transaction(conn, |conn| {
        let bumped = diesel::update(login_throttle::table.find(subject))
            .set((
                login_throttle::failures.eq(login_throttle::failures + 1),
                login_throttle::updated_at.eq(now),
            ))
            .execute(conn)?;
        if bumped == 0 {
            diesel::insert_into(login_throttle::table)
                .values((
                    login_throttle::subject.eq(subject),
                    login_throttle::failures.eq(1),
                    login_throttle::blocked_until.eq(None::<NaiveDateTime>),
                    login_throttle::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        let count: i32 = login_throttle::table
            .find(subject)
            .select(login_throttle::failures)
            .first(conn)?;
        let blocked = (count > FREE_FAILURES).then(|| {
            let exponent = u32::try_from(count - FREE_FAILURES - 1)
                .unwrap_or(0)
                .min(10);
            now + TimeDelta::seconds((1i64 << exponent).min(MAX_DELAY_SECS))
        });
        diesel::update(login_throttle::table.find(subject))
            .set(login_throttle::blocked_until.eq(blocked))
            .execute(conn)?;
        Ok(count)
    })
}

pub fn clear(conn: &mut DbConn, subject: &[u8]) -> DbResult<()> {
    diesel::delete(login_throttle::table.find(subject)).execute(conn)?;
    Ok(())
}
