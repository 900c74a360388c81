//! The chat hub: stores messages (group commit), publishes live events, tracks operator
//! presence. Knows no HTTP: `widget/` and `console/` adapt sockets to it. Never logs
//! message text.

pub mod bus;
pub mod presence;
pub mod router;
pub mod writer;

pub use bus::{Event, EventBus, LocalBus};
pub use presence::Presence;
pub use router::Router;
pub use writer::{AppendOutcome, AppendRequest, Target, Writer};

use std::sync::Arc;

/// Everything live chat needs, shared by the visitor and the staff side.
#[derive(Clone)]
pub struct Hub {
    pub bus: Arc<dyn EventBus>,
    pub writer: Writer,
    pub presence: Arc<Presence>,
    pub router: Arc<Router>,
}

/// Longest message a visitor or operator may send, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
