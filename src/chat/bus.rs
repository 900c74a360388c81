//! The publish/subscribe seam for live events. In-process today; PostgreSQL LISTEN/NOTIFY
//! can sit behind the same trait for several nodes. Events carry ids, never message text
//! (receivers read what they need from the database) — except `Preview`, which is
//! ephemeral by design and must never leave this process.

use crate::db::conversations::ConversationId;
use crate::db::messages::Sender;
use crate::db::staff::StaffId;
use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub enum Event {
    /// A message was committed.
    MessageStored {
        conversation: ConversationId,
        seq: i64,
        sender: Sender,
    },
    /// Created, taken, transferred or closed.
    ConversationChanged { conversation: ConversationId },
    /// Someone started or stopped typing.
    Typing {
        conversation: ConversationId,
        by_visitor: bool,
        staff: Option<StaffId>,
        active: bool,
    },
    /// The visitor's unsent text, for the live typing preview. Local only, never stored.
    Preview {
        conversation: ConversationId,
        text: String,
    },
    /// Operator availability changed.
    Presence,
    /// Roles, teams or a widget's team changed: open operator sockets re-read what their
    /// staff member may see (`None`: everyone's, e.g. a role's matrix changed).
    AccessChanged { staff: Option<StaffId> },
}

pub trait EventBus: Send + Sync {
    fn publish(&self, event: Event);
    fn subscribe(&self) -> broadcast::Receiver<Event>;
}

/// One process: a tokio broadcast channel. A receiver that lags re-reads from the database.
pub struct LocalBus(broadcast::Sender<Event>);

impl LocalBus {
    pub fn new() -> Self {
        Self(broadcast::channel(8192).0)
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscriber is not an error: nobody is watching right now.
        let _ = self.0.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.subscribe()
    }
}
