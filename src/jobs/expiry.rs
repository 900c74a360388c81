//! Conversation expiry: per widget, conversations past the widget's retention period, with
//! their messages, consents, technical details, tags, blind-index entries and the contact
//! when no other conversation names it; conversations whose consent was withdrawn, per the
//! widget's withdrawal policy; chats that never got a consent, 24 hours after their last
//! activity. The steps are the erasure module's (`db::erasure::erase`, journal word
//! "expired"), so a restore's journal replay removes them again.
//!
//! In batches of `BATCH` conversations: first their messages in chunks of `MESSAGE_CHUNK`
//! (one conversation may hold thousands), each chunk its own short write transaction, then
//! the conversations themselves in one more. A run that stops between the two leaves
//! conversations already past their period with fewer messages; the next run finishes them.

use super::expiry_rules::{self, Candidate, Rule};
use super::purge::Purge;
use super::{BATCH, JobError, MESSAGE_CHUNK};
use crate::db::conversations::ConversationId;
use crate::db::erasure;
use crate::db::schema::{conversation_meta, conversations as conv, messages};
use crate::db::{DbConn, DbResult, write_transaction};
use crate::widget::privacy::{Retention, WithdrawalPolicy};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use std::collections::HashSet;

/// A chat without consent is removed this long after its last activity.
pub const UNCONSENTED_AFTER: TimeDelta = TimeDelta::hours(24);

/// The rules for every widget, then the one for chats without consent.
fn rules(conn: &mut DbConn, now: NaiveDateTime) -> DbResult<Vec<Rule>> {
    let mut rules = Vec::new();
    for w in crate::db::widgets::list(conn)? {
        let p = &w.settings.privacy;
        let widget = w.id.0;
        match (p.retention.cutoff(now), p.withdrawal) {
            (Some(cutoff), _) => rules.push(Rule::Period { widget, cutoff }),
            (None, WithdrawalPolicy::KeepUntilRetention) => {
                if let Some(before) = Retention::Months(Retention::MAX_MONTHS).cutoff(now) {
                    rules.push(Rule::Withdrawn { widget, before });
                }
            }
            (None, WithdrawalPolicy::DeleteNow) => {}
        }
        if p.withdrawal == WithdrawalPolicy::DeleteNow {
            rules.push(Rule::Withdrawn {
                widget,
                before: now,
            });
        }
    }
    rules.push(Rule::Unconsented {
        cutoff: now - UNCONSENTED_AFTER,
    });
    Ok(rules)
}

pub fn run(ctx: &mut Purge<'_>, conn: &mut DbConn) -> Result<(), JobError> {
    let mut dry = DryTally::default();
    for rule in rules(conn, ctx.now)? {
        let mut after = i64::MIN;
        loop {
            let batch = expiry_rules::next(conn, rule, after, BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            if ctx.dry() {
                dry.add(ctx, conn, rule, &batch)?;
            } else {
                delete(ctx, conn, rule, &batch)?;
            }
            ctx.between_batches(conn)?;
        }
    }
    if ctx.dry() {
        let contacts = dry.contacts_gone(conn)?;
        ctx.counts.add("contacts", contacts);
    }
    Ok(())
}

/// Technical details of these conversations (one row each at most).
fn technical_rows(conn: &mut DbConn, ids: &[i64]) -> DbResult<i64> {
    Ok(conversation_meta::table
        .filter(conversation_meta::conversation_id.eq_any(ids))
        .count()
        .get_result(conn)?)
}

fn delete(
    ctx: &mut Purge<'_>,
    conn: &mut DbConn,
    rule: Rule,
    batch: &[Candidate],
) -> Result<(), JobError> {
    let ids: Vec<i64> = batch.iter().map(|c| c.id).collect();
    loop {
        let removed = write_transaction(conn, |conn| {
            let doomed = expiry_rules::still(conn, rule, &ids)?;
            let chunk: Vec<i64> = messages::table
                .filter(messages::conversation_id.eq_any(&doomed))
                .select(messages::id)
                .limit(MESSAGE_CHUNK)
                .load(conn)?;
            diesel::delete(messages::table.filter(messages::id.eq_any(&chunk)))
                .execute(conn)
                .map_err(JobError::from)
        })?;
        let removed = i64::try_from(removed).unwrap_or(i64::MAX);
        ctx.counts.add("messages", removed);
        if removed < MESSAGE_CHUNK {
            break;
        }
        ctx.between_batches(conn)?;
    }
    let at = ctx.erased_at();
    let (doomed, contacts, counts, technical) = write_transaction(conn, |conn| {
        let doomed = expiry_rules::still(conn, rule, &ids)?;
        let as_ids: Vec<ConversationId> = doomed.iter().copied().map(ConversationId).collect();
        let counts = erasure::staff::counts(conn, &as_ids)?;
        let technical = technical_rows(conn, &doomed)?;
        let mut contacts = 0i64;
        for id in &as_ids {
            if erasure::expire(conn, *id, at)?.is_some_and(|e| e.contact_deleted) {
                contacts += 1;
            }
        }
        Ok::<_, JobError>((doomed, contacts, counts, technical))
    })?;
    let gone: Vec<&Candidate> = batch.iter().filter(|c| doomed.contains(&c.id)).collect();
    ctx.counts.add("conversations", counts.conversations);
    ctx.counts.add("messages", counts.messages);
    ctx.counts.add("consents", counts.consents);
    ctx.counts.add("technical", technical);
    ctx.counts.add("contacts", contacts);
    ctx.counts.add(
        "offline",
        i64::try_from(gone.iter().filter(|c| c.offline).count()).unwrap_or(0),
    );
    if let Some(kind) = rule.kind() {
        ctx.counts.add(kind, i64::try_from(gone.len()).unwrap_or(0));
    }
    // Open conversations may sit in a queue: consoles drop them (ids only on the bus).
    for c in gone.iter().filter(|c| c.open) {
        ctx.announce(ConversationId(c.id));
    }
    Ok(())
}

/// A dry run's view: every conversation counted once even when several rules match it,
/// and the contacts all of whose conversations would go.
#[derive(Default)]
struct DryTally {
    seen: HashSet<i64>,
    contacts: HashSet<i64>,
}

impl DryTally {
    fn add(
        &mut self,
        ctx: &mut Purge<'_>,
        conn: &mut DbConn,
        rule: Rule,
        batch: &[Candidate],
    ) -> Result<(), JobError> {
        let fresh: Vec<&Candidate> = batch.iter().filter(|c| self.seen.insert(c.id)).collect();
        let ids: Vec<ConversationId> = fresh.iter().map(|c| ConversationId(c.id)).collect();
        let raw: Vec<i64> = ids.iter().map(|c| c.0).collect();
        let counts = erasure::staff::counts(conn, &ids)?;
        ctx.counts.add("conversations", counts.conversations);
        ctx.counts.add("messages", counts.messages);
        ctx.counts.add("consents", counts.consents);
        ctx.counts.add("technical", technical_rows(conn, &raw)?);
        ctx.counts.add(
            "offline",
            i64::try_from(fresh.iter().filter(|c| c.offline).count()).unwrap_or(0),
        );
        if let Some(kind) = rule.kind() {
            ctx.counts
                .add(kind, i64::try_from(fresh.len()).unwrap_or(0));
        }
        self.contacts.extend(fresh.iter().filter_map(|c| c.contact));
        Ok(())
    }

    fn contacts_gone(&self, conn: &mut DbConn) -> DbResult<i64> {
        let mut gone = 0;
        for contact in &self.contacts {
            let named: Vec<i64> = conv::table
                .filter(conv::contact_id.eq(contact))
                .select(conv::id)
                .load(conn)?;
            if named.iter().all(|id| self.seen.contains(id)) {
                gone += 1;
            }
        }
        Ok(gone)
    }
}
