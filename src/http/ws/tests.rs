//! The session, body and stream without a server: what goes out, what comes in, and that a
//! peer that does not read is cut off instead of buffered.

use super::outbox::{Closed, Outbox, OutboxBody, Session};
use super::stream::MessageStream;
use super::{CloseCode, CloseReason, HIGH_WATER, Item, Message, ProtocolError};
use actix_codec::{Decoder, Encoder};
use actix_http::ws::{Codec, Frame, OpCode};
use actix_web::body::MessageBody;
use actix_web::web::{Bytes, BytesMut};
use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

fn pair() -> (Session, OutboxBody, Rc<RefCell<Outbox>>) {
    let outbox = Rc::new(RefCell::new(Outbox::new()));
    (
        Session::new(outbox.clone()),
        OutboxBody::new(outbox.clone()),
        outbox,
    )
}

fn poll_body(body: &mut OutboxBody) -> Poll<Option<Result<Bytes, String>>> {
    let mut cx = Context::from_waker(Waker::noop());
    Pin::new(body)
        .poll_next(&mut cx)
        .map(|o| o.map(|r| r.map_err(|e| e.to_string())))
}

/// Decodes what the body yields as the browser would (client mode: unmasked frames).
fn frames(bytes: &[u8]) -> Vec<Frame> {
    let mut buf = BytesMut::from(bytes);
    let mut codec = Codec::new().client_mode();
    let mut out = Vec::new();
    while let Some(f) = codec.decode(&mut buf).expect("server frames decode") {
        out.push(f);
    }
    assert!(buf.is_empty(), "a partial frame was left over");
    out
}

#[tokio::test]
async fn frames_go_out_unmasked_and_the_idle_buffer_holds_nothing() {
    let (mut session, mut body, outbox) = pair();
    assert!(poll_body(&mut body).is_pending());
    session.text("hallo").await.expect("open");
    session.text(String::from("welt")).await.expect("open");
    session.pong(&[7; 300]).await.expect("open");
    let Poll::Ready(Some(Ok(bytes))) = poll_body(&mut body) else {
        panic!("body should yield the queued frames");
    };
    assert_eq!(bytes[1] & 0x80, 0, "server frames are not masked");
    assert_eq!(
        frames(&bytes),
        vec![
            Frame::Text(Bytes::from_static(b"hallo")),
            Frame::Text(Bytes::from_static(b"welt")),
            Frame::Pong(Bytes::from(vec![7; 125])),
        ]
    );
    assert_eq!(outbox.borrow().queued(), 0);
    assert_eq!(outbox.borrow().capacity(), 0, "idle buffer keeps memory");
    assert!(poll_body(&mut body).is_pending());
}

#[tokio::test]
async fn close_sends_a_valid_close_frame_and_ends_the_body() {
    let (session, mut body, _outbox) = pair();
    let mut other = Session::new(_outbox.clone());
    // 122 ASCII bytes, then a 2-byte character across the 123-byte limit.
    let description = format!("{}é and more", "a".repeat(122));
    let reason = CloseReason {
        code: CloseCode::Policy,
        description: Some(description),
    };
    session.close(Some(reason)).await.expect("open");
    let Poll::Ready(Some(Ok(bytes))) = poll_body(&mut body) else {
        panic!("close frame expected");
    };
    match frames(&bytes).as_slice() {
        [Frame::Close(Some(r))] => {
            assert_eq!(r.code, CloseCode::Policy);
            assert_eq!(r.description.as_deref(), Some("a".repeat(122).as_str()));
        }
        other => panic!("expected one close frame, got {other:?}"),
    }
    assert!(matches!(poll_body(&mut body), Poll::Ready(None)));
    assert!(matches!(other.text("late").await, Err(Closed)));
}

#[tokio::test]
async fn a_dropped_session_ends_the_body() {
    let (session, mut body, _outbox) = pair();
    drop(session);
    assert!(matches!(poll_body(&mut body), Poll::Ready(None)));
}

#[tokio::test]
async fn a_send_over_the_high_water_waits_for_the_body() {
    let (mut session, mut body, outbox) = pair();
    let chunk = "x".repeat(16 * 1024);
    while outbox.borrow().queued() < HIGH_WATER {
        session
            .text(&chunk)
            .await
            .expect("room below the high water");
    }
    let mut waiting = Box::pin(session.send_within(OpCode::Text, b"next", Duration::from_secs(60)));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        waiting.as_mut().poll(&mut cx).is_pending(),
        "must wait for room"
    );
    assert!(matches!(poll_body(&mut body), Poll::Ready(Some(Ok(_)))));
    assert!(matches!(
        waiting.as_mut().poll(&mut cx),
        Poll::Ready(Ok(()))
    ));
    let Poll::Ready(Some(Ok(bytes))) = poll_body(&mut body) else {
        panic!("the waiting frame should follow");
    };
    assert_eq!(
        frames(&bytes),
        vec![Frame::Text(Bytes::from_static(b"next"))]
    );
}

#[tokio::test]
async fn a_peer_that_does_not_read_is_cut_off_not_buffered() {
    let (mut session, mut body, outbox) = pair();
    let chunk = "x".repeat(16 * 1024);
    let mut sent = 0;
    let result = loop {
        let r = session
            .send_within(OpCode::Text, chunk.as_bytes(), Duration::from_millis(50))
            .await;
        if r.is_err() {
            break r;
        }
        sent += 1;
        assert!(sent < 100, "the outbox grew without bound");
    };
    assert!(matches!(result, Err(Closed)));
    assert!(sent * chunk.len() <= HIGH_WATER + chunk.len());
    assert_eq!(
        outbox.borrow().capacity(),
        0,
        "queued frames were not released"
    );
    // The body fails, which makes actix drop the connection.
    assert!(matches!(poll_body(&mut body), Poll::Ready(Some(Err(_)))));
    assert!(matches!(session.text("late").await, Err(Closed)));
}

/// Feeds the payload: bytes, or `None` for the end of the peer's half.
type Feed = Box<dyn FnMut(Option<Bytes>)>;

/// A stream over an h1 payload the test feeds, like the one actix hands the handler.
fn stream(max: usize) -> (Feed, MessageStream, OutboxBody) {
    let (mut sender, payload) = actix_http::h1::Payload::create(false);
    let outbox = Rc::new(RefCell::new(Outbox::new()));
    let stream = MessageStream::new(payload.into(), outbox.clone()).max_frame_size(max);
    let feed = Box::new(move |bytes: Option<Bytes>| match bytes {
        Some(b) => sender.feed_data(b),
        None => sender.feed_eof(),
    });
    (feed, stream, OutboxBody::new(outbox))
}

/// Frames as a browser sends them: masked.
fn client_frames(messages: Vec<Message>) -> Bytes {
    let mut codec = Codec::new().client_mode();
    let mut buf = BytesMut::new();
    for m in messages {
        codec.encode(m, &mut buf).expect("encodes");
    }
    buf.freeze()
}

fn poll_stream(s: &mut MessageStream) -> Poll<Option<Result<Message, ProtocolError>>> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut recv = Box::pin(s.recv());
    recv.as_mut().poll(&mut cx)
}

#[tokio::test]
async fn frames_come_in_one_at_a_time_even_when_split() {
    let (mut feed, mut s, _body) = stream(1024);
    let bytes = client_frames(vec![
        Message::Text("hallo".into()),
        Message::Ping(Bytes::from_static(b"p")),
        Message::Continuation(Item::FirstText(Bytes::from_static(b"a"))),
        Message::Continuation(Item::Last(Bytes::from_static(b"b"))),
        Message::Close(None),
    ]);
    assert!(poll_stream(&mut s).is_pending());
    feed(Some(bytes.slice(..4)));
    assert!(
        poll_stream(&mut s).is_pending(),
        "half a frame is no message"
    );
    feed(Some(bytes.slice(4..)));
    let mut got = Vec::new();
    while let Poll::Ready(Some(m)) = poll_stream(&mut s) {
        got.push(m.expect("valid frames"));
    }
    assert_eq!(
        got,
        vec![
            Message::Text("hallo".into()),
            // Not answered here: the socket decides what a ping costs.
            Message::Ping(Bytes::from_static(b"p")),
            Message::Continuation(Item::FirstText(Bytes::from_static(b"a"))),
            Message::Continuation(Item::Last(Bytes::from_static(b"b"))),
            Message::Close(None),
        ]
    );
    assert_eq!(s.buffered_capacity(), 0, "idle receive buffer keeps memory");
}

#[tokio::test]
async fn an_oversized_frame_is_a_protocol_error_that_ends_the_stream() {
    let (mut feed, mut s, _body) = stream(16);
    feed(Some(client_frames(vec![Message::Text(
        "x".repeat(17).into(),
    )])));
    assert!(matches!(
        poll_stream(&mut s),
        Poll::Ready(Some(Err(ProtocolError::Overflow)))
    ));
    assert!(matches!(poll_stream(&mut s), Poll::Ready(None)));
}

#[tokio::test]
async fn the_stream_ends_when_the_connection_goes() {
    let (_feed, mut s, body) = stream(1024);
    assert!(poll_stream(&mut s).is_pending());
    drop(body);
    assert!(matches!(poll_stream(&mut s), Poll::Ready(None)));

    let (mut feed, mut s, _body) = stream(1024);
    feed(Some(client_frames(vec![Message::Text("last".into())])));
    feed(None);
    assert!(matches!(
        poll_stream(&mut s),
        Poll::Ready(Some(Ok(Message::Text(t)))) if t == "last"
    ));
    assert!(matches!(poll_stream(&mut s), Poll::Ready(None)));
}
