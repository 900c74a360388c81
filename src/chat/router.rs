//! Routes live events to the visitor sockets of one conversation, so an event wakes the
//! few sockets it concerns instead of every open socket on the node. A subscription is an
//! RAII guard: dropping the socket removes it.

use super::{Event, EventBus};
use crate::db::conversations::ConversationId;
use crate::db::messages::Sender;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

type Subscribers = HashMap<ConversationId, HashMap<u64, UnboundedSender<Event>>>;

#[derive(Default)]
pub struct Router {
    subscribers: Mutex<Subscribers>,
    next: AtomicU64,
}

pub struct Subscription {
    router: Arc<Router>,
    conversation: ConversationId,
    key: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Ok(mut map) = self.router.subscribers.lock() {
            if let Some(subs) = map.get_mut(&self.conversation) {
                subs.remove(&self.key);
                if subs.is_empty() {
                    map.remove(&self.conversation);
                }
            }
        }
    }
}

fn conversation_of(event: &Event) -> Option<ConversationId> {
    match event {
        Event::MessageStored { conversation, .. }
        | Event::ConversationChanged { conversation }
        | Event::Typing { conversation, .. }
        | Event::Preview { conversation, .. } => Some(*conversation),
        Event::Presence | Event::AccessChanged { .. } => None,
    }
}

impl Router {
    /// Starts the dispatcher on its own thread; it lives as long as the bus does.
    pub fn spawn(bus: &Arc<dyn EventBus>) -> std::io::Result<Arc<Self>> {
        let router = Arc::new(Self::default());
        let mut events = bus.subscribe();
        let dispatcher = router.clone();
        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        std::thread::Builder::new()
            .name("plauder-router".into())
            .spawn(move || {
                runtime.block_on(async move {
                    loop {
                        match events.recv().await {
                            Ok(event) => dispatcher.dispatch(event),
                            Err(RecvError::Lagged(_)) => dispatcher.resync_all(),
                            Err(RecvError::Closed) => break,
                        }
                    }
                })
            })?;
        Ok(router)
    }

    pub fn subscribe(
        self: &Arc<Self>,
        conversation: ConversationId,
    ) -> (Subscription, UnboundedReceiver<Event>) {
        let (tx, rx) = unbounded_channel();
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.subscribers.lock() {
            map.entry(conversation).or_default().insert(key, tx);
        }
        (
            Subscription {
                router: self.clone(),
                conversation,
                key,
            },
            rx,
        )
    }

    fn dispatch(&self, event: Event) {
        let Some(conversation) = conversation_of(&event) else {
            return;
        };
        if let Ok(map) = self.subscribers.lock() {
            if let Some(subs) = map.get(&conversation) {
                for tx in subs.values() {
                    let _ = tx.send(event.clone());
                }
            }
        }
    }

    /// Events were lost: make every subscriber re-read its conversation from the database.
    fn resync_all(&self) {
        if let Ok(map) = self.subscribers.lock() {
            for (conversation, subs) in map.iter() {
                for tx in subs.values() {
                    let _ = tx.send(Event::ConversationChanged {
                        conversation: *conversation,
                    });
                    let _ = tx.send(Event::MessageStored {
                        conversation: *conversation,
                        seq: 0,
                        sender: Sender::Operator,
                    });
                }
            }
        }
    }

    pub fn subscribed_conversations(&self) -> usize {
        self.subscribers.lock().map(|m| m.len()).unwrap_or(0)
    }
}
