//! The message writer waits for SQLite's write lock instead of failing a batch when another
//! connection (an admin saving a form, a retention job) writes at the same moment.

use crate::support::ws::{hello, say};
use crate::support::{Db, TestServer};
use crate::visitor::{visitor, widget};
use diesel::connection::SimpleConnection;
use std::time::Duration;

/// The next ack or error frame, skipping presence and the like.
fn ack_or_error(ws: &mut crate::support::ws::Ws) -> serde_json::Value {
    for _ in 0..100 {
        let v = ws.recv();
        if v["type"] == "ack" || v["type"] == "error" {
            return v;
        }
    }
    panic!("neither ack nor error");
}

#[test]
fn a_message_waits_for_a_write_lock_held_elsewhere() {
    let server = TestServer::start(Db::Sqlite);
    let w = widget(&server, false);
    let mut ws = visitor(&server, &w);
    hello(&mut ws, None);
    say(&mut ws, "m1", "Hallo");
    assert_eq!(ack_or_error(&mut ws)["type"], "ack");

    // Another connection holds the write lock for a while, as a long admin write would.
    let mut other = server.conn();
    other
        .batch_execute("BEGIN IMMEDIATE; UPDATE widgets SET updated_at = updated_at;")
        .unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        other.batch_execute("COMMIT").unwrap();
    });
    say(&mut ws, "m2", "Noch da?");
    let answer = ack_or_error(&mut ws);
    holder.join().unwrap();
    assert_eq!(answer["type"], "ack", "got {answer}");
    assert_eq!(answer["seq"], 2);
}
