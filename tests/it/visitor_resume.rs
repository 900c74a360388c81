//! Reconnecting visitors: nothing lost, nothing stored twice, on both backends.

use crate::both_backends;
use crate::support::TestServer;
use crate::support::ws::{hello, say};
use crate::visitor::{visitor, widget};
use diesel::prelude::*;
use plauder::db::conversations::ConversationId;
use plauder::db::messages::{NewMessage, Sender};
use plauder::db::schema::{conversations, messages};
use std::time::{Duration, Instant};

/// A token as the widget makes it: 43 base64url characters.
const TOKEN: &str = "Zm9yLXRoZS10ZXN0cy1vbmx5LW5vdC1yYW5kb20tMDA";

fn counts(server: &TestServer) -> (i64, i64) {
    let mut conn = server.conn();
    let c = conversations::table.count().get_result(&mut *conn).unwrap();
    let m = messages::table.count().get_result(&mut *conn).unwrap();
    (c, m)
}

fn wait_for_messages(server: &TestServer, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while counts(server).1 < n {
        assert!(Instant::now() < deadline, "message never committed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

both_backends!(an_ack_never_overtakes_an_earlier_reply, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, false);
    let mut ws = visitor(&server, &w);
    hello(&mut ws, None);
    say(&mut ws, "m1", "Hallo");
    let token = ws.recv_type("started")["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(ws.recv_type("ack")["seq"], 1);

    // The operator's reply is stored, but its live event has not reached this socket yet
    // (as when it comes from another node): here it never comes at all.
    let id: i64 = conversations::table
        .select(conversations::id)
        .first(&mut *server.conn())
        .unwrap();
    let reply = NewMessage {
        conversation: ConversationId(id),
        sender: Sender::Operator,
        staff: None,
        client_id: None,
        text: "Antwort",
    };
    let now = chrono::Utc::now().naive_utc();
    plauder::db::messages::append(&mut server.conn(), &server.state.ring, &reply, now).unwrap();

    say(&mut ws, "m2", "Noch eine Frage");
    let first = ws.recv();
    assert_eq!(
        (
            first["type"].as_str(),
            first["seq"].as_i64(),
            first["text"].as_str()
        ),
        (Some("message"), Some(2), Some("Antwort")),
        "the reply stored before the visitor's message comes before its ack: {first}"
    );
    let ack = ws.recv();
    assert_eq!(
        (
            ack["type"].as_str(),
            ack["id"].as_str(),
            ack["seq"].as_i64()
        ),
        (Some("ack"), Some("m2"), Some(3))
    );
    drop(ws);

    // The widget resumes after the last message frame it saw: its own message comes again
    // with its id (the widget skips it), the reply does not come twice.
    let mut ws = visitor(&server, &w);
    assert_eq!(hello(&mut ws, Some((&token, 2)))["resumed"], true);
    let again = ws.recv();
    assert_eq!(
        (
            again["seq"].as_i64(),
            again["from"].as_str(),
            again["id"].as_str()
        ),
        (Some(3), Some("visitor"), Some("m2"))
    );
    ws.silent_for(Duration::from_millis(300));

    // Resuming after the ack's seq loses nothing either: the reply came before it.
    let mut ws = visitor(&server, &w);
    assert_eq!(hello(&mut ws, Some((&token, 3)))["resumed"], true);
    ws.silent_for(Duration::from_millis(300));
});

both_backends!(
    a_first_message_resent_after_a_drop_starts_one_conversation,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let mut ws = visitor(&server, &w);
        assert_eq!(hello(&mut ws, Some((TOKEN, 0)))["resumed"], false);
        say(&mut ws, "first", "Hallo, ist jemand da?");
        // The connection drops after the commit, before `started` or the ack are read.
        wait_for_messages(&server, 1);
        drop(ws);

        let mut ws = visitor(&server, &w);
        assert_eq!(
            hello(&mut ws, Some((TOKEN, 0)))["resumed"],
            true,
            "the widget's own token leads to the conversation its first message started"
        );
        let own = ws.recv_type("message");
        assert_eq!(
            (own["seq"].as_i64(), own["id"].as_str()),
            (Some(1), Some("first"))
        );
        say(&mut ws, "first", "Hallo, ist jemand da?");
        assert_eq!(ws.recv_type("ack")["seq"], 1, "the resend is recognised");
        assert_eq!(counts(&server), (1, 1), "one conversation, one message");
        say(&mut ws, "second", "Hallo?");
        assert_eq!(ws.recv_type("ack")["seq"], 2);
        assert_eq!(counts(&server), (1, 2));
    }
);

both_backends!(two_sockets_with_one_token_share_one_conversation, |db| {
    // The old socket is not dead yet when the new one sends: both said hello before the
    // conversation existed, so the server must find it by the token when storing.
    let server = TestServer::start(db);
    let w = widget(&server, false);
    let mut old = visitor(&server, &w);
    let mut new = visitor(&server, &w);
    assert_eq!(hello(&mut old, Some((TOKEN, 0)))["resumed"], false);
    assert_eq!(hello(&mut new, Some((TOKEN, 0)))["resumed"], false);
    say(&mut old, "a1", "Hallo");
    assert_eq!(old.recv_type("started")["token"], TOKEN);
    assert_eq!(old.recv_type("ack")["seq"], 1);
    say(&mut new, "a1", "Hallo");
    assert_eq!(new.recv_type("started")["token"], TOKEN);
    assert_eq!(new.recv_type("ack")["seq"], 1, "stored once");
    say(&mut new, "a2", "Noch da?");
    assert_eq!(new.recv_type("ack")["seq"], 2);
    assert_eq!(counts(&server), (1, 2));
});

both_backends!(bad_and_foreign_tokens_are_refused_with_a_reason, |db| {
    let server = TestServer::start(db);
    let w1 = widget(&server, false);
    let w2 = widget(&server, false);
    let mut ws = visitor(&server, &w1);
    for bad in [
        "short",
        "x".repeat(65).as_str(),
        "aaaaaaaaaaaaaaaaaaaaaaaa/aaaa",
    ] {
        ws.send(serde_json::json!({"v": 1, "type": "hello", "resume": {"token": bad, "after": 0}}));
        assert_eq!(ws.recv()["code"], "bad_token", "{bad}");
    }
    assert_eq!(hello(&mut ws, Some((TOKEN, 0)))["resumed"], false);
    say(&mut ws, "m", "Hallo");
    ws.recv_type("ack");

    // The same token at another widget reaches nothing and starts nothing.
    let mut other = visitor(&server, &w2);
    assert_eq!(hello(&mut other, Some((TOKEN, 0)))["resumed"], false);
    say(&mut other, "m", "Hallo");
    assert_eq!(other.recv()["code"], "bad_token");
    assert_eq!(counts(&server), (1, 1));
});
