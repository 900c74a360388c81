//! The receiving half: frames decoded from the request payload, one at a time.

use super::outbox::Outbox;
use actix_codec::Decoder;
use actix_http::Payload;
use actix_http::ws::{Codec, Frame, Message, ProtocolError};
use actix_web::web::BytesMut;
use futures_core::Stream;
use std::cell::RefCell;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Messages from the peer, in order; `None` once the connection is gone.
pub struct MessageStream {
    payload: Payload,
    /// Bytes of a frame not complete yet; empty (and without allocation) between frames.
    buf: BytesMut,
    codec: Codec,
    outbox: Rc<RefCell<Outbox>>,
    ended: bool,
}

fn message(frame: Frame) -> Result<Message, ProtocolError> {
    Ok(match frame {
        Frame::Text(bytes) => TryFrom::try_from(bytes)
            .map(Message::Text)
            .map_err(|e| ProtocolError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))?,
        Frame::Binary(bytes) => Message::Binary(bytes),
        Frame::Continuation(item) => Message::Continuation(item),
        Frame::Ping(bytes) => Message::Ping(bytes),
        Frame::Pong(bytes) => Message::Pong(bytes),
        Frame::Close(reason) => Message::Close(reason),
    })
}

impl MessageStream {
    pub(super) fn new(payload: Payload, outbox: Rc<RefCell<Outbox>>) -> Self {
        Self {
            payload,
            buf: BytesMut::new(),
            codec: Codec::new(),
            outbox,
            ended: false,
        }
    }

    /// Frames larger than `max` bytes are a protocol error (`ProtocolError::Overflow`).
    #[must_use]
    pub fn max_frame_size(mut self, max: usize) -> Self {
        self.codec = self.codec.max_size(max);
        self
    }

    /// The next message; `Some(Err(_))` ends the stream.
    pub async fn recv(&mut self) -> Option<Result<Message, ProtocolError>> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    #[cfg(test)]
    pub(super) fn buffered_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// A complete frame from the buffer, if there is one.
    fn decode(&mut self) -> Result<Option<Message>, ProtocolError> {
        let frame = self.codec.decode(&mut self.buf)?;
        if self.buf.is_empty() {
            // Drop the spent buffer: an idle socket should hold no receive memory here.
            self.buf = BytesMut::new();
        }
        frame.map(message).transpose()
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, ProtocolError>>> {
        loop {
            if !self.buf.is_empty() {
                match self.decode() {
                    Ok(Some(m)) => return Poll::Ready(Some(Ok(m))),
                    Ok(None) => {}
                    Err(e) => {
                        self.ended = true;
                        self.buf = BytesMut::new();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            if self.ended || self.outbox.borrow_mut().connection_gone(cx) {
                self.ended = true;
                return Poll::Ready(None);
            }
            match Pin::new(&mut self.payload).poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    if self.buf.is_empty() {
                        self.buf = BytesMut::from(bytes);
                    } else {
                        self.buf.extend_from_slice(&bytes);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(ProtocolError::Io(io::Error::other(e)))));
                }
                // The peer's half ended: complete frames still buffered come out first.
                Poll::Ready(None) => self.ended = true,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
