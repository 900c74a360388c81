//! A lean websocket session for the many idle visitor sockets, in place of `actix_ws::handle`
//! with the same shape: `handle` returns the upgrade response, a [`Session`] to send with and
//! a [`MessageStream`] to receive from.
//!
//! Why it exists: memory per idle socket. Measured with massif over 1000 idle TLS visitor
//! sockets, actix-ws costs per connection a tokio channel(32) whose first block of 32
//! messages is allocated at once (1,310 B), a oneshot (64 B), a boxed `BodyStream` (120 B)
//! and the boxed acquire future of `PollSender` (160 B), plus larger task state. Here the
//! session and the response body share one small `Rc<RefCell<Outbox>>`: encoded frames wait
//! in a byte buffer that holds no allocation while empty, so an idle socket carries only
//! the outbox (about 100 B) and the body's box.
//!
//! What it must never do: grow without bound for a peer that does not read. A send waits
//! while more than [`HIGH_WATER`] bytes are queued; after [`STALL`] without room the
//! connection is dropped (the body fails, actix closes the TCP connection) and every later
//! send returns [`Closed`]. It must also never be used across threads: actix workers are
//! single-threaded and the handler's task is spawned on the same worker
//! (`actix_web::rt::spawn` is `spawn_local`), which is why `Rc` suffices.
//!
//! Behaviour matches actix-ws where plauder relies on it: pings are not answered
//! automatically, continuation frames are handed out one by one, a frame over the maximum
//! size is a protocol error, and the stream ends when the connection goes away.

mod outbox;
mod stream;
#[cfg(test)]
mod tests;

pub use actix_http::ws::{CloseCode, CloseReason, Item, Message, ProtocolError};
pub use outbox::{Closed, HIGH_WATER, STALL, Session};
pub use stream::MessageStream;

use actix_web::body::BoxBody;
use actix_web::{HttpRequest, HttpResponse, web};
use outbox::{Outbox, OutboxBody};
use std::cell::RefCell;
use std::rc::Rc;

/// Answers the upgrade request; the response must be returned from the handler and the
/// session and stream moved into a task spawned on this worker.
pub fn handle(
    req: &HttpRequest,
    body: web::Payload,
) -> Result<(HttpResponse, Session, MessageStream), actix_web::Error> {
    let mut response = actix_http::ws::handshake(req.head())?;
    let outbox = Rc::new(RefCell::new(Outbox::new()));
    let response = response.message_body(BoxBody::new(OutboxBody::new(outbox.clone())))?;
    Ok((
        HttpResponse::from(response),
        Session::new(outbox.clone()),
        MessageStream::new(body.into_inner(), outbox),
    ))
}
