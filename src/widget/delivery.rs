//! Delivery to the visitor: stored messages after the last one delivered, in order.

use super::operator::ShownCache;
use super::protocol::{Outbound, Refusal, VERSION};
use super::socket::{Flow, VisitorSocket, at};
use crate::db::messages::{self, Sender};

const HISTORY_LIMIT: i64 = 1000;

impl VisitorSocket {
    pub(super) async fn deliver_new(&mut self) -> Flow {
        self.deliver(false).await
    }

    /// Sends stored messages after the last delivered one, in order. On resume the
    /// visitor's own messages come too (with their ids, so the widget can de-duplicate).
    pub(super) async fn deliver(&mut self, with_own: bool) -> Flow {
        let Some(conversation) = self.conversation else {
            return Ok(());
        };
        let after = self.delivered;
        let loaded = self
            .state
            .blocking(move |conn, st| {
                let list =
                    messages::after(conn, &st.ring, conversation, after, false, HISTORY_LIMIT)?;
                // Who replied, as the operator chose to be shown (alias, first name, ...).
                let mut cache = ShownCache::default();
                list.into_iter()
                    .map(|m| {
                        let shown = match (m.sender, m.staff) {
                            (Sender::Operator, Some(staff)) => {
                                Some(cache.get(conn, &st.ring, staff)?)
                            }
                            (Sender::Operator, None) => Some(Default::default()),
                            _ => None,
                        };
                        Ok((m, shown))
                    })
                    .collect::<crate::db::DbResult<Vec<_>>>()
            })
            .await;
        let Ok(list) = loaded else {
            return self.refuse(Refusal::Unavailable).await;
        };
        for (m, operator) in list {
            self.delivered = self.delivered.max(m.seq);
            if m.sender == Sender::Visitor && !with_own {
                continue;
            }
            let from = if m.sender == Sender::Visitor {
                "visitor"
            } else {
                "operator"
            };
            let frame = Outbound::Message {
                v: VERSION,
                seq: m.seq,
                from,
                text: m.text,
                at: at(m.created_at),
                id: m.client_id,
                operator,
            };
            self.send(frame).await?;
        }
        Ok(())
    }
}
