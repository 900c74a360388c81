//! Counters of failed logins. Subjects are keyed hashes, so no name or address is stored.

use super::schema::login_throttle;
use super::{DbConn, DbResult};
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
pub fn record_failure(conn: &mut DbConn, subject: &[u8], now: NaiveDateTime) -> DbResult<i32> {
    conn.transaction(|conn| {
        let failures: Option<i32> = login_throttle::table
            .find(subject)
            .select(login_throttle::failures)
            .first(conn)
            .optional()?;
        let count = failures.unwrap_or(0).saturating_add(1);
        let blocked = (count > FREE_FAILURES).then(|| {
            let exponent = u32::try_from(count - FREE_FAILURES - 1)
                .unwrap_or(0)
                .min(10);
            now + TimeDelta::seconds((1i64 << exponent).min(MAX_DELAY_SECS))
        });
        if failures.is_some() {
            diesel::update(login_throttle::table.find(subject))
                .set((
                    login_throttle::failures.eq(count),
                    login_throttle::blocked_until.eq(blocked),
                    login_throttle::updated_at.eq(now),
                ))
                .execute(conn)?;
        } else {
            diesel::insert_into(login_throttle::table)
                .values((
                    login_throttle::subject.eq(subject),
                    login_throttle::failures.eq(count),
                    login_throttle::blocked_until.eq(blocked),
                    login_throttle::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(count)
    })
}

pub fn clear(conn: &mut DbConn, subject: &[u8]) -> DbResult<()> {
    diesel::delete(login_throttle::table.find(subject)).execute(conn)?;
    Ok(())
}
