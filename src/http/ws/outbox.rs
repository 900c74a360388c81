//! The sending half: encoded frames queued for the response body, with a bound.
//!
//! Frames are encoded at once into one byte buffer; the body hands the whole buffer to
//! actix on each poll, so an idle socket's buffer holds no allocation. A slow reader makes
//! sends wait; one that stays stuck is cut off, never buffered without end.

use actix_http::ws::{CloseReason, OpCode, Parser};
use actix_web::body::{BodySize, MessageBody};
use actix_web::web::{Bytes, BytesMut};
use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Bytes queued beyond which a send waits for the body to take them.
pub const HIGH_WATER: usize = 64 * 1024;
/// How long a send waits for room before the connection is dropped.
pub const STALL: Duration = Duration::from_secs(10);

// RFC 6455 §5.5: control frames carry at most 125 bytes; a close frame's reason follows
// its 2-byte code. Chromium treats longer control frames as malformed.
const MAX_CONTROL_PAYLOAD: usize = 125;
const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// The session is closed: the peer went away, the close frame was sent, or it read too
/// slowly.
#[derive(Debug, thiserror::Error)]
#[error("websocket session is closed")]
pub struct Closed;

/// The body's error when a peer did not take its frames in time: actix drops the
/// connection on it.
#[derive(Debug, thiserror::Error)]
#[error("websocket peer does not read; connection dropped")]
pub struct Stalled;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum State {
    Open,
    /// The close frame (or the session's end) is queued: the body ends after the buffer.
    Closing,
    /// The peer did not read in time: the body fails so that actix drops the connection.
    Stalled,
    /// The response body was dropped: the connection is gone.
    Gone,
}

/// Shared by the session, the body and the message stream of one socket.
pub(super) struct Outbox {
    buf: BytesMut,
    pub(super) state: State,
    /// The response body, waiting for frames.
    body: Option<Waker>,
    /// A send, waiting for room.
    writer: Option<Waker>,
    /// The message stream, which must end when the connection goes away.
    reader: Option<Waker>,
}

fn remember(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

fn wake(slot: &mut Option<Waker>) {
    if let Some(w) = slot.take() {
        w.wake();
    }
}

impl Outbox {
    pub(super) fn new() -> Self {
        Self {
            buf: BytesMut::new(),
            state: State::Open,
            body: None,
            writer: None,
            reader: None,
        }
    }

    pub(super) fn queued(&self) -> usize {
        self.buf.len()
    }

    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    fn push(&mut self, op: OpCode, payload: &[u8]) {
        Parser::write_message(&mut self.buf, payload, op, true, false);
        wake(&mut self.body);
    }

    /// Ends the session; frames queued so far still go out unless the peer is cut off.
    fn end(&mut self, next: State) {
        if self.state == State::Open || next == State::Gone {
            self.state = next;
        }
        if matches!(self.state, State::Stalled | State::Gone) {
            self.buf = BytesMut::new();
        }
        wake(&mut self.body);
        wake(&mut self.writer);
        wake(&mut self.reader);
    }

    /// Whether the message stream should end; otherwise it is woken when it must.
    pub(super) fn connection_gone(&mut self, cx: &Context<'_>) -> bool {
        if matches!(self.state, State::Stalled | State::Gone) {
            return true;
        }
        remember(&mut self.reader, cx);
        false
    }

    fn poll_room(&mut self, cx: &Context<'_>) -> Poll<Result<(), Closed>> {
        if self.state != State::Open {
            return Poll::Ready(Err(Closed));
        }
        if self.buf.len() < HIGH_WATER {
            return Poll::Ready(Ok(()));
        }
        remember(&mut self.writer, cx);
        Poll::Pending
    }

    fn poll_body(&mut self, cx: &Context<'_>) -> Poll<Option<Result<Bytes, Stalled>>> {
        if self.state == State::Stalled {
            return Poll::Ready(Some(Err(Stalled)));
        }
        if !self.buf.is_empty() {
            wake(&mut self.writer);
            // Taken whole: the empty buffer keeps no allocation on an idle socket.
            return Poll::Ready(Some(Ok(std::mem::take(&mut self.buf).freeze())));
        }
        if self.state != State::Open {
            return Poll::Ready(None);
        }
        remember(&mut self.body, cx);
        Poll::Pending
    }
}

/// The upgrade response's body: whatever the session queued.
pub(super) struct OutboxBody(Rc<RefCell<Outbox>>);

impl OutboxBody {
    pub(super) fn new(outbox: Rc<RefCell<Outbox>>) -> Self {
        Self(outbox)
    }
}

impl MessageBody for OutboxBody {
    type Error = Stalled;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.0.borrow_mut().poll_body(cx)
    }
}

impl Drop for OutboxBody {
    fn drop(&mut self) {
        self.0.borrow_mut().end(State::Gone);
    }
}

/// Sends frames to the peer; `Err(Closed)` once the socket is done for.
pub struct Session {
    outbox: Rc<RefCell<Outbox>>,
}

impl Session {
    pub(super) fn new(outbox: Rc<RefCell<Outbox>>) -> Self {
        Self { outbox }
    }

    async fn send(&mut self, op: OpCode, payload: &[u8]) -> Result<(), Closed> {
        self.send_within(op, payload, STALL).await
    }

    pub(super) async fn send_within(
        &mut self,
        op: OpCode,
        payload: &[u8],
        stall: Duration,
    ) -> Result<(), Closed> {
        if self.outbox.borrow().state != State::Open {
            return Err(Closed);
        }
        if self.outbox.borrow().queued() >= HIGH_WATER {
            // A peer that reads too slowly for a whole stall is cut off: its frames would
            // otherwise pile up here without end.
            let room = poll_fn(|cx| self.outbox.borrow_mut().poll_room(cx));
            match tokio::time::timeout(stall, room).await {
                Ok(Ok(())) => {}
                Ok(Err(Closed)) => return Err(Closed),
                Err(_elapsed) => {
                    self.outbox.borrow_mut().end(State::Stalled);
                    return Err(Closed);
                }
            }
        }
        self.outbox.borrow_mut().push(op, payload);
        Ok(())
    }

    /// Sends a text frame.
    pub async fn text(&mut self, text: impl AsRef<str>) -> Result<(), Closed> {
        self.send(OpCode::Text, text.as_ref().as_bytes()).await
    }

    /// Answers a ping; the payload is cut to the 125 bytes a control frame may carry.
    pub async fn pong(&mut self, payload: &[u8]) -> Result<(), Closed> {
        let payload = &payload[..payload.len().min(MAX_CONTROL_PAYLOAD)];
        self.send(OpCode::Pong, payload).await
    }

    /// Pings the peer; the payload is cut to 125 bytes.
    pub async fn ping(&mut self, payload: &[u8]) -> Result<(), Closed> {
        let payload = &payload[..payload.len().min(MAX_CONTROL_PAYLOAD)];
        self.send(OpCode::Ping, payload).await
    }

    /// Sends the close frame and ends the response after it. The close frame does not wait
    /// for room: it is small, and a socket that closes must not hang.
    pub async fn close(self, reason: Option<CloseReason>) -> Result<(), Closed> {
        let mut outbox = self.outbox.borrow_mut();
        if outbox.state != State::Open {
            return Err(Closed);
        }
        let reason = reason.map(|mut r| {
            if let Some(d) = r.description.as_mut() {
                let mut end = d.len().min(MAX_CLOSE_REASON);
                while !d.is_char_boundary(end) {
                    end -= 1;
                }
                d.truncate(end);
            }
            r
        });
        Parser::write_close(&mut outbox.buf, reason, false);
        outbox.end(State::Closing);
        Ok(())
    }
}

impl Drop for Session {
    /// A session dropped without a close frame still ends the response.
    fn drop(&mut self) {
        if let Ok(mut outbox) = self.outbox.try_borrow_mut() {
            outbox.end(State::Closing);
        }
    }
}
