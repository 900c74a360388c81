//! Technical details captured when a widget's privacy mode is off (`db::visitor_meta`: IP
//! address, user agent, browser, system, country, page, referrer) are all technical data
//! about the visitor's device: the whole row goes once it is older than `MAX_AGE`, or as
//! soon as the address's own expiry has passed. With the hourly default schedule nothing is
//! kept longer than 24 hours.

use super::JobError;
use super::purge::Purge;
use crate::db::schema::conversation_meta as meta;
use crate::db::{DbConn, write_transaction};
use chrono::TimeDelta;
use diesel::prelude::*;

/// Age after which the job removes technical details: 24 hours less one hourly interval.
pub const MAX_AGE: TimeDelta = TimeDelta::hours(23);
const BATCH: i64 = 500;

pub fn run(ctx: &mut Purge<'_>, conn: &mut DbConn) -> Result<(), JobError> {
    let (old, now) = (ctx.now - MAX_AGE, ctx.now);
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = meta::table
            .filter(meta::created_at.le(old).or(meta::ip_expires_at.le(now)))
            .filter(meta::conversation_id.gt(after))
            .order(meta::conversation_id.asc())
            .limit(BATCH)
            .select(meta::conversation_id)
            .load(conn)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        let n = if ctx.dry() {
            ids.len()
        } else {
            write_transaction(conn, |conn| {
                diesel::delete(
                    meta::table
                        .filter(meta::conversation_id.eq_any(&ids))
                        .filter(meta::created_at.le(old).or(meta::ip_expires_at.le(now))),
                )
                .execute(conn)
            })?
        };
        ctx.counts
            .add("technical", i64::try_from(n).unwrap_or(i64::MAX));
        ctx.between_batches(conn)?;
    }
    Ok(())
}
