//! Self-service deletion and withdrawal, on both backends: every row of the visitor goes in
//! one step and one journal row with ids and the time remains; another visitor's rows stay;
//! operators see it live; on SQLite the erased bytes leave the database file and its WAL.

use crate::both_backends;
use crate::self_service::{chatting, identify, my_data};
use crate::support::scan::row_counts;
use crate::support::ws::{Ws, hello, say};
use crate::support::{Db, TestServer};
use crate::visitor::visitor;
use diesel::prelude::*;
use plauder::db::schema::{consents, contacts, conversations, erasure_journal, messages};
use serde_json::json;
use std::collections::BTreeMap;

fn operator(server: &TestServer) -> Ws {
    let admin = server.admin();
    let cookie = format!("__Host-plauder={}", admin.cookies["__Host-plauder"]);
    let mut ws = crate::support::ws::open(
        server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    ws.recv_type("hello");
    ws
}

/// Waits for a queue push without this conversation (earlier pushes may still hold it).
fn queue_drops(op: &mut Ws, id: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let q = op.recv_queue();
        if !q.to_string().contains(&id.to_string()) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "still queued");
    }
}

fn messages_of(server: &TestServer, id: i64) -> i64 {
    messages::table
        .filter(messages::conversation_id.eq(id))
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

fn diff(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    after
        .iter()
        .map(|(t, n)| (t.clone(), n - before.get(t).copied().unwrap_or(0)))
        .filter(|(_, d)| *d != 0)
        .collect()
}

type Journal = (i64, i64, i64, Option<i64>, String, chrono::NaiveDateTime);

fn journal(server: &TestServer) -> Vec<Journal> {
    erasure_journal::table
        .select((
            erasure_journal::id,
            erasure_journal::conversation_id,
            erasure_journal::widget_id,
            erasure_journal::contact_id,
            erasure_journal::action,
            erasure_journal::erased_at,
        ))
        .load(&mut *server.conn())
        .unwrap()
}

both_backends!(
    erase_removes_every_row_of_the_visitor_and_nothing_else,
    |db| {
        let server = TestServer::start(db);
        let w = crate::privacy_mode::widget_with(&server, &[]);
        let (mut anna, anna_token, anna_id) = chatting(&server, &w, &["Eins", "Zwei", "Drei"]);
        identify(&mut anna, "Anna", "anna@example.de");
        let (mut bert, _, bert_id) = chatting(&server, &w, &["Bert fragt"]);
        identify(&mut bert, "Bert", "bert@example.de");
        // Carla typed Bert's address: the contact is shared and must survive Bert's erasure.
        let (mut carla, _, carla_id) = chatting(&server, &w, &["Carla fragt"]);
        identify(&mut carla, "Carla", "BERT@example.de");
        let mut op = operator(&server);
        op.send(json!({"type": "open", "conversation": anna_id.to_string()}));
        op.recv_type("transcript");
        // An operator reply and an internal note belong to the conversation too.
        op.send(json!({"type": "send", "conversation": anna_id.to_string(), "id": "r1", "text": "Gern!"}));
        op.recv_type("ack");
        op.send(json!({"type": "send", "conversation": anna_id.to_string(), "id": "n1", "text": "Notiz", "note": true}));
        op.recv_type("ack");

        let before = row_counts(&server);
        assert_eq!(before["contacts"], 2, "the probe counts contacts");
        assert_eq!(before["conversation_meta"], 3, "and technical details");
        anna.send(json!({"v": 1, "type": "erase"}));
        anna.recv_type("erased");
        assert_eq!(anna.close_code(), Some(1000), "the socket ends");
        let after = row_counts(&server);
        let expected: BTreeMap<String, i64> = [
            ("contacts", -1),
            ("conversation_meta", -1),
            ("conversations", -1),
            ("consents", -1),
            ("messages", -5),
            // The search index's entries of the conversation and its contact (issue 8).
            ("person_index", -4),
            ("erasure_journal", 1),
            ("audit_log", 1),
            // The register of data-subject requests: an answered erasure request, linked
            // to the conversation by id (db::dsr::self_service).
            ("dsr_requests", 1),
            ("dsr_actions", 1),
        ]
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect();
        assert_eq!(diff(&before, &after), expected, "{before:?} -> {after:?}");
        let anna_left: i64 = conversations::table
            .filter(conversations::id.eq(anna_id))
            .count()
            .get_result(&mut *server.conn())
            .unwrap();
        assert_eq!(anna_left, 0);
        assert_eq!(messages_of(&server, bert_id), 1, "Bert's rows stay");
        assert_eq!(messages_of(&server, carla_id), 1);

        let rows = journal(&server);
        assert_eq!(rows.len(), 1);
        let (_, conversation, widget, contact, action, at) = rows[0].clone();
        assert_eq!((conversation, action.as_str()), (anna_id, "erase"));
        assert!(widget > 0 && contact.is_some_and(|c| c > 0));
        let now = {
            use plauder::clock::Clock as _;
            server.clock.naive()
        };
        assert!(
            (at - now).num_seconds().abs() < 1,
            "the time of the erasure"
        );

        // Operators: the open conversation is erased live, and the queue no longer has it.
        let erased = op.recv_type("erased");
        assert_eq!(erased["conversation"], anna_id.to_string());
        queue_drops(&mut op, anna_id);
        // The token leads nowhere now.
        let mut back = visitor(&server, &w);
        assert_eq!(hello(&mut back, Some((&anna_token, 0)))["resumed"], false);

        // Bert erases: the contact Carla's conversation names stays; the journal has no contact.
        bert.send(json!({"v": 1, "type": "erase"}));
        bert.recv_type("erased");
        let contacts_left: i64 = contacts::table
            .count()
            .get_result(&mut *server.conn())
            .unwrap();
        assert_eq!(contacts_left, 1, "Carla's conversation still names it");
        let carla_contact: Option<i64> = conversations::table
            .find(carla_id)
            .select(conversations::contact_id)
            .first(&mut *server.conn())
            .unwrap();
        assert!(carla_contact.is_some());
        let rows = journal(&server);
        assert!(rows.iter().any(|r| r.1 == bert_id && r.3.is_none()));
        drop(carla);
    }
);

/// The bytes of one stored value are in the SQLite file or its WAL.
fn on_disk(server: &TestServer, needle: &[u8]) -> bool {
    crate::support::scan::database_bytes(server, Db::Sqlite)
        .iter()
        .any(|b| b.windows(needle.len()).any(|w| w == needle))
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// Moves the WAL into the database file and empties it; retries while a reader blocks.
fn checkpoint(server: &TestServer) {
    for _ in 0..100 {
        let r: Checkpoint = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
            .get_result(&mut *server.conn())
            .unwrap();
        if r.busy == 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the checkpoint stayed busy");
}

#[test]
fn erased_bytes_leave_the_sqlite_file_and_wal() {
    let server = TestServer::start(Db::Sqlite);
    let w = crate::privacy_mode::widget_with(&server, &[]);
    let (mut ws, _, id) = chatting(&server, &w, &["Marker-Nachricht, die verschwinden muss"]);
    identify(&mut ws, "Anna", "anna.marker@example.de");
    let body: Vec<u8> = messages::table
        .filter(messages::conversation_id.eq(id))
        .select(messages::body_enc)
        .first(&mut *server.conn())
        .unwrap();
    let blind: Vec<u8> = contacts::table
        .select(contacts::email_blind)
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(
        blind,
        plauder::db::contacts::blind(&server.state.ring, " Anna.Marker@example.DE ")
    );
    // The probe finds both before deletion: in the WAL, and after a checkpoint in the file.
    assert!(on_disk(&server, &body) && on_disk(&server, &blind));
    checkpoint(&server);
    assert!(
        on_disk(&server, &body) && on_disk(&server, &blind),
        "in the file"
    );

    ws.send(json!({"v": 1, "type": "erase"}));
    ws.recv_type("erased");
    checkpoint(&server);
    assert!(!on_disk(&server, &body), "the message ciphertext is gone");
    assert!(
        !on_disk(&server, &blind),
        "the contact's blind index is gone"
    );
}

fn withdraw(ws: &mut Ws) -> serde_json::Value {
    ws.send(json!({"v": 1, "type": "withdraw"}));
    let frame = ws.recv_type("withdrawn");
    assert_eq!(ws.close_code(), Some(1000), "the chat ends");
    frame
}

both_backends!(withdrawal_applies_the_widgets_policy, |db| {
    let server = TestServer::start(db);
    // Delete now (the default): the same erasure, journaled as a withdrawal.
    let now_w = crate::privacy_mode::widget_with(&server, &[("privacy_mode", "on")]);
    let (mut ws, _, id) = chatting(&server, &now_w, &["Hallo"]);
    let before = row_counts(&server);
    assert_eq!(withdraw(&mut ws)["deleted"], true);
    let after = row_counts(&server);
    assert_eq!(after["conversations"], before["conversations"] - 1);
    assert_eq!(after["consents"], before["consents"] - 1);
    assert_eq!(after["messages"], before["messages"] - 1);
    let rows = journal(&server);
    assert_eq!((rows[0].1, rows[0].4.as_str()), (id, "withdraw"));

    // Keep until retention: the consent is marked, the conversation closed, rows stay.
    let keep_w = crate::privacy_mode::widget_with(
        &server,
        &[
            ("privacy_mode", "on"),
            ("withdrawal_policy", "keep_until_retention"),
        ],
    );
    let (mut ws, token, id) = chatting(&server, &keep_w, &["Bitte nicht löschen"]);
    let mut op = operator(&server);
    let mut before = row_counts(&server);
    assert_eq!(withdraw(&mut ws)["deleted"], false);
    *before.get_mut("audit_log").unwrap() += 1;
    // The register of data-subject requests: an answered objection, by conversation id.
    *before.get_mut("dsr_requests").unwrap() += 1;
    *before.get_mut("dsr_actions").unwrap() += 1;
    assert_eq!(
        row_counts(&server),
        before,
        "nothing deleted, nothing added but the audit entry and the register's request"
    );
    let withdrawn: Option<chrono::NaiveDateTime> = consents::table
        .filter(consents::conversation_id.eq(id))
        .select(consents::withdrawn_at)
        .first(&mut *server.conn())
        .unwrap();
    let status: String = conversations::table
        .find(id)
        .select(conversations::status)
        .first(&mut *server.conn())
        .unwrap();
    assert!(withdrawn.is_some(), "the consent records the withdrawal");
    assert_eq!(status, "closed");
    // The operator's queue drops it live; the visitor's token stores nothing further.
    queue_drops(&mut op, id);
    let mut again = visitor(&server, &keep_w);
    assert_eq!(hello(&mut again, Some((&token, 1)))["resumed"], true);
    again.recv_type("closed");
    say(&mut again, "late", "noch etwas");
    assert_eq!(again.recv_type("error")["code"], "closed");
    assert_eq!(row_counts(&server), before);
    // The data view shows the withdrawal.
    assert!(my_data(&mut again)["data"]["consents"][0]["withdrawn_at"].is_string());
});
