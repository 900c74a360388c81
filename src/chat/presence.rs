//! Which operators are online. Held per node in memory; a connection registers with a guard
//! whose `Drop` removes it, so a dropped socket can never leave a ghost operator behind.

use super::{Event, EventBus};
use crate::db::staff::StaffId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Online,
    Away,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    connections: u32,
    availability: Availability,
}

/// An operator as others see them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OperatorStatus {
    /// A string: staff ids exceed what a JavaScript number holds exactly.
    pub id: String,
    pub name: String,
    pub availability: Availability,
}

pub struct Presence {
    operators: Mutex<HashMap<StaffId, Entry>>,
    bus: Arc<dyn EventBus>,
    /// Whether anyone is available; visitor sockets watch this instead of every event.
    available: tokio::sync::watch::Sender<bool>,
}

impl Presence {
    pub fn new(bus: Arc<dyn EventBus>) -> Self {
        Self {
            operators: Mutex::new(HashMap::new()),
            bus,
            available: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Changes of "is anyone available", for visitor sockets.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<bool> {
        self.available.subscribe()
    }

    fn changed(&self) {
        let now = self.anyone_available();
        self.available
            .send_if_modified(|v| std::mem::replace(v, now) != now);
        self.bus.publish(Event::Presence);
    }

    /// Registers a console connection; the operator is online while any guard lives.
    pub fn connect(self: &Arc<Self>, staff: StaffId, name: &str) -> PresenceGuard {
        if let Ok(mut map) = self.operators.lock() {
            let entry = map.entry(staff).or_insert_with(|| Entry {
                name: name.to_string(),
                connections: 0,
                availability: Availability::Online,
            });
            entry.connections += 1;
        }
        self.changed();
        PresenceGuard {
            presence: self.clone(),
            staff,
        }
    }

    pub fn set(&self, staff: StaffId, availability: Availability) {
        if let Ok(mut map) = self.operators.lock() {
            if let Some(entry) = map.get_mut(&staff) {
                entry.availability = availability;
            }
        }
        self.changed();
    }

    /// Whether any operator is online and not away: drives what the widget offers.
    pub fn anyone_available(&self) -> bool {
        self.operators
            .lock()
            .map(|m| m.values().any(|e| e.availability == Availability::Online))
            .unwrap_or(false)
    }

    pub fn is_available(&self, staff: StaffId) -> bool {
        self.operators
            .lock()
            .map(|m| {
                m.get(&staff)
                    .is_some_and(|e| e.availability == Availability::Online)
            })
            .unwrap_or(false)
    }

    pub fn list(&self) -> Vec<OperatorStatus> {
        let mut list: Vec<OperatorStatus> = self
            .operators
            .lock()
            .map(|m| {
                m.iter()
                    .map(|(id, e)| OperatorStatus {
                        id: id.0.to_string(),
                        name: e.name.clone(),
                        availability: e.availability,
                    })
                    .collect()
            })
            .unwrap_or_default();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }
}

pub struct PresenceGuard {
    presence: Arc<Presence>,
    staff: StaffId,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Ok(mut map) = self.presence.operators.lock() {
            if let Some(entry) = map.get_mut(&self.staff) {
                entry.connections = entry.connections.saturating_sub(1);
                if entry.connections == 0 {
                    map.remove(&self.staff);
                }
            }
        }
        self.presence.changed();
    }
}
