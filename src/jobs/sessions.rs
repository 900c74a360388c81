//! Staff sign-in state that has ended: sessions past the idle or absolute timeout
//! (`[session]`), second-factor challenges of abandoned sign-ins, and login-throttling
//! counters a day after their last failure once no block is running. Small tables: one
//! statement each.

use super::{Ctx, JobError};
use crate::auth::second_step::CHALLENGE_TTL;
use crate::db::schema::{login_challenges, login_throttle, sessions};
use crate::db::{DbConn, write_transaction};
use chrono::TimeDelta;
use diesel::prelude::*;

/// A throttling counter is forgotten this long after its last failure (once unblocked).
pub const THROTTLE_MEMORY: TimeDelta = TimeDelta::hours(24);

pub fn run(ctx: &mut Ctx<'_>, conn: &mut DbConn) -> Result<(), JobError> {
    let now = ctx.now;
    let config = &ctx.state.config.session;
    let idle = TimeDelta::minutes(i64::try_from(config.idle_timeout_minutes).unwrap_or(i64::MAX));
    let absolute =
        TimeDelta::hours(i64::try_from(config.absolute_timeout_hours).unwrap_or(i64::MAX));
    let (idle_before, started_before) = (now - idle, now - absolute);
    let ended = sessions::last_seen_at
        .lt(idle_before)
        .or(sessions::created_at.lt(started_before));
    let stale = login_challenges::created_at.lt(now - CHALLENGE_TTL);
    let forgotten = login_throttle::updated_at.lt(now - THROTTLE_MEMORY).and(
        login_throttle::blocked_until
            .is_null()
            .or(login_throttle::blocked_until.le(now)),
    );
    let (s, c, t) = if ctx.dry() {
        let s: i64 = sessions::table.filter(ended).count().get_result(conn)?;
        let c: i64 = login_challenges::table
            .filter(stale)
            .count()
            .get_result(conn)?;
        let t: i64 = login_throttle::table
            .filter(forgotten)
            .count()
            .get_result(conn)?;
        (s, c, t)
    } else {
        write_transaction(conn, |conn| {
            let s = diesel::delete(sessions::table.filter(ended)).execute(conn)?;
            let c = diesel::delete(login_challenges::table.filter(stale)).execute(conn)?;
            let t = diesel::delete(login_throttle::table.filter(forgotten)).execute(conn)?;
            let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
            Ok::<_, diesel::result::Error>((n(s), n(c), n(t)))
        })?
    };
    ctx.counts.add("sessions", s);
    ctx.counts.add("login_challenges", c);
    ctx.counts.add("login_throttle", t);
    Ok(())
}
