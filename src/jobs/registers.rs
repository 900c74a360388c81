//! The two registers with a retention of their own: the audit log (`audit.retention_days`,
//! pruned behind its MAC'd anchor by `audit::prune`, then the head written to the system
//! log) and the register of data-subject requests (`jobs.dsr_retention_days` after a
//! request was closed: answered, refused or withdrawn), with its linked actions.

use super::{BATCH, Ctx, JobError};
use crate::db::schema::{audit_log, dsr_actions, dsr_requests};
use crate::db::{DbConn, write_transaction};
use crate::dsr::Status;
use chrono::TimeDelta;
use diesel::prelude::*;

pub fn audit(ctx: &mut Ctx<'_>, conn: &mut DbConn) -> Result<(), JobError> {
    let days = ctx.state.config.audit.retention_days;
    if ctx.dry() {
        let cutoff = ctx.now - TimeDelta::days(i64::from(days));
        let old: i64 = audit_log::table
            .filter(audit_log::at.lt(cutoff))
            .count()
            .get_result(conn)?;
        ctx.counts.add("audit_entries", old);
        return Ok(());
    }
    let pruned = crate::audit::prune(conn, &ctx.state.ring, ctx.now, days)?;
    ctx.counts.add(
        "audit_entries",
        i64::try_from(pruned.entries).unwrap_or(i64::MAX),
    );
    crate::audit::log_head(conn)?;
    Ok(())
}

pub fn dsr(ctx: &mut Ctx<'_>, conn: &mut DbConn) -> Result<(), JobError> {
    let days = i64::from(ctx.state.config.jobs.dsr_retention_days);
    let cutoff = ctx.now - TimeDelta::days(days);
    let closed: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| !s.pending())
        .map(|s| s.as_str())
        .collect();
    // Closed at the answer (answered, refused); a withdrawn request at its last change.
    let expired = || {
        dsr_requests::status.eq_any(closed.clone()).and(
            dsr_requests::answered_at
                .le(cutoff)
                .or(dsr_requests::answered_at
                    .is_null()
                    .and(dsr_requests::updated_at.le(cutoff))),
        )
    };
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = dsr_requests::table
            .filter(expired())
            .filter(dsr_requests::id.gt(after))
            .order(dsr_requests::id.asc())
            .limit(BATCH)
            .select(dsr_requests::id)
            .load(conn)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        let (requests, actions) = if ctx.dry() {
            let actions: i64 = dsr_actions::table
                .filter(dsr_actions::request_id.eq_any(&ids))
                .count()
                .get_result(conn)?;
            (i64::try_from(ids.len()).unwrap_or(0), actions)
        } else {
            write_transaction(conn, |conn| {
                let gone: Vec<i64> = dsr_requests::table
                    .filter(dsr_requests::id.eq_any(&ids))
                    .filter(expired())
                    .select(dsr_requests::id)
                    .load(conn)?;
                let actions = diesel::delete(
                    dsr_actions::table.filter(dsr_actions::request_id.eq_any(&gone)),
                )
                .execute(conn)?;
                let requests =
                    diesel::delete(dsr_requests::table.filter(dsr_requests::id.eq_any(&gone)))
                        .execute(conn)?;
                let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
                Ok::<_, diesel::result::Error>((n(requests), n(actions)))
            })?
        };
        ctx.counts.add("requests", requests);
        ctx.counts.add("request_actions", actions);
        ctx.between_batches(conn)?;
    }
    Ok(())
}
