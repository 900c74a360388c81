//! A visitor that stops reading: its socket is cut off after a bounded queue, never left to
//! buffer the server's frames without end (plauder::http::ws).

use crate::both_backends;
use crate::support::TestServer;
use crate::support::ws::{Ws, hello, hello_only, say};
use crate::visitor::{visitor, widget};
use diesel::prelude::*;
use plauder::db::conversations::ConversationId;
use plauder::db::messages::{NewMessage, Sender};
use plauder::db::schema::conversations;
use serde_json::json;
use std::time::{Duration, Instant};
use tungstenite::Message;

/// The history a resume delivers at once (the server's limit) ...
const HISTORY: usize = 1000;
/// ... of 4000 four-byte characters each: about 16 MB, far more than the socket buffers of
/// the kernel and actix hold for a peer that does not read.
fn long_text() -> String {
    "😀".repeat(plauder::chat::MAX_TEXT_CHARS)
}

/// Message frames read until `wanted` arrived or the connection ended, and whether it ended.
fn messages_until_end(ws: &mut Ws, wanted: usize) -> (usize, bool) {
    let mut n = 0;
    loop {
        match ws.0.read() {
            Ok(Message::Text(t)) => {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "message" {
                    n += 1;
                    if n == wanted {
                        return (n, false);
                    }
                }
            }
            Ok(Message::Close(_)) => return (n, true),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!("the connection neither delivered nor ended after {n} messages")
            }
            Err(_) => return (n, true),
        }
    }
}

both_backends!(a_visitor_that_does_not_read_is_cut_off, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, false);
    let mut ws = visitor(&server, &w);
    hello(&mut ws, None);
    say(&mut ws, "m1", "Hallo");
    let token = ws.recv_type("started")["token"]
        .as_str()
        .unwrap()
        .to_string();
    ws.recv_type("ack");
    drop(ws);

    let id: i64 = conversations::table
        .select(conversations::id)
        .first(&mut *server.conn())
        .unwrap();
    let text = long_text();
    let now = chrono::Utc::now().naive_utc();
    for _ in 0..HISTORY {
        let reply = NewMessage {
            conversation: ConversationId(id),
            sender: Sender::Operator,
            staff: None,
            client_id: None,
            text: &text,
        };
        plauder::db::messages::append(&mut server.conn(), &server.state.ring, &reply, now).unwrap();
    }

    // A visitor that reads gets the whole history: the probe below counts what it must.
    let mut reader = visitor(&server, &w);
    assert_eq!(hello_only(&mut reader, Some((&token, 0)))["resumed"], true);
    assert_eq!(messages_until_end(&mut reader, HISTORY), (HISTORY, false));
    drop(reader);
    let limits = &server.state.limits;
    let deadline = Instant::now() + Duration::from_secs(5);
    while limits.tracked_addresses() != 0 {
        assert!(Instant::now() < deadline, "the reading socket never ended");
        std::thread::sleep(Duration::from_millis(20));
    }

    // One that sends hello and then never reads: the server's frames back up.
    let mut stuck = visitor(&server, &w);
    stuck.send(json!({"v": 1, "type": "hello", "resume": {"token": token, "after": 0}}));
    assert_eq!(limits.tracked_addresses(), 1, "the open socket is counted");
    let deadline = Instant::now() + plauder::http::ws::STALL + Duration::from_secs(10);
    while limits.tracked_addresses() != 0 {
        assert!(
            Instant::now() < deadline,
            "the socket of a visitor that does not read was never ended"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // What was already on its way arrives, then the connection ends without the rest.
    let (got, ended) = messages_until_end(&mut stuck, HISTORY);
    assert!(
        ended && got < HISTORY,
        "got {got} of {HISTORY}, ended: {ended}"
    );
});
