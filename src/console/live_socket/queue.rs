//! The console's queue: the open conversations this console may see. The whole list goes
//! out when the socket starts, after the event stream lagged and when access was re-read;
//! in between only what changed (`queue_changed`: entries to add or replace, ids to take
//! away), collected for one flush interval and read in one query by id. Reloading the
//! whole list for every stored message made each console sort every open conversation
//! five times a second: with 11,000 open ones that was most of the chat's p99
//! (BENCHMARKS.md, "Operator queue with many open conversations").

use super::*;

/// At most this many entries in a full list (the newest first).
const FULL_LIMIT: i64 = 500;

/// What the next flush sends.
#[derive(Debug, Default)]
pub(super) struct Pending {
    full: bool,
    changed: HashSet<ConversationId>,
    /// The ids this console was last shown, so a removal names only those.
    shown: HashSet<ConversationId>,
}

impl Pending {
    pub(super) fn everything(&mut self) {
        self.full = true;
        self.changed.clear();
    }

    pub(super) fn changed(&mut self, id: ConversationId) {
        if !self.full {
            self.changed.insert(id);
        }
    }
}

fn entry(c: &Conversation, widget: String, names: &HashMap<StaffId, String>) -> QueueEntry {
    QueueEntry {
        id: c.id.0.to_string(),
        status: c.status.as_str(),
        widget,
        operator: c.operator.map(|o| o.0.to_string()),
        operator_name: c.operator.and_then(|o| names.get(&o).cloned()),
        updated_at: at(c.updated_at),
        last_seq: c.last_seq,
    }
}

fn names(conn: &mut crate::db::DbConn) -> crate::db::DbResult<HashMap<StaffId, String>> {
    Ok(staff::list(conn)?
        .into_iter()
        .map(|s| (s.id, s.username))
        .collect())
}

impl OperatorSocket {
    pub(super) async fn flush_queue(&mut self) -> Flow {
        if std::mem::take(&mut self.queue.full) {
            return self.send_queue().await;
        }
        if self.queue.changed.is_empty() {
            return Ok(());
        }
        let ids: Vec<ConversationId> = self.queue.changed.drain().collect();
        let wanted = ids.clone();
        let loaded = self
            .state
            .blocking(move |conn, _| {
                let names = names(conn)?;
                let rows = conversations::with_widget_by_ids(conn, &wanted)?;
                Ok((names, rows))
            })
            .await;
        let Ok((names, rows)) = loaded else {
            // The changes are lost with the failed read: the next flush sends everything.
            self.queue.everything();
            return self.error("the queue could not be loaded").await;
        };
        let mut entries = Vec::new();
        for (c, widget) in rows {
            if conversations::OPEN.contains(&c.status) && self.access.may_list(&c) {
                self.queue.shown.insert(c.id);
                entries.push(entry(&c, widget, &names));
            }
        }
        let listed: HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let mut removed = Vec::new();
        for id in ids {
            if !listed.contains(id.0.to_string().as_str()) && self.queue.shown.remove(&id) {
                removed.push(id.0.to_string());
            }
        }
        if entries.is_empty() && removed.is_empty() {
            return Ok(());
        }
        self.push(Push::QueueChanged {
            conversations: entries,
            removed,
        })
        .await
    }

    pub(super) async fn send_queue(&mut self) -> Flow {
        self.queue.changed.clear();
        let narrowing = self.access.narrowing();
        let loaded = self
            .state
            .blocking(move |conn, _| {
                let names = names(conn)?;
                let open = conversations::open_with_widget(conn, FULL_LIMIT, narrowing.as_deref())?;
                Ok((names, open))
            })
            .await;
        let Ok((names, open)) = loaded else {
            return self.error("the queue could not be loaded").await;
        };
        let mut conversations = Vec::new();
        self.queue.shown.clear();
        for (c, widget) in open {
            if self.access.may_list(&c) {
                self.queue.shown.insert(c.id);
                conversations.push(entry(&c, widget, &names));
            }
        }
        self.push(Push::Queue { conversations }).await
    }
}
