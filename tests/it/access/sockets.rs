//! The operator console socket under roles and teams: an operator of team A receives, sees
//! and may act on nothing of team B (every command of the protocol is tried), is offered
//! only colleagues of their teams for a transfer, and a change of teams or role reaches an
//! open socket at once.

use super::{Who, World, login, world};
use crate::both_backends;
use crate::support::client::Client;
use crate::support::ws::{Ws, hello, open, say};
use crate::support::{GOOD_PASSWORD, add_staff};
use crate::visitor::visitor;
use plauder::clock::Clock as _;
use plauder::db::conversations::{self, ConversationId, Status};
use plauder::db::staff::{self, Role};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(super) fn console(w: &World, client: &Client) -> Ws {
    let cookie = format!("__Host-plauder={}", client.cookies["__Host-plauder"]);
    let mut ws = open(
        &w.server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    ws.recv_type("hello");
    ws
}

/// Every frame that arrives within `wait` (the socket is left as it was).
pub(super) fn frames_for(ws: &mut Ws, wait: Duration) -> Vec<Value> {
    let deadline = Instant::now() + wait;
    let mut frames = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let left = left.max(Duration::from_millis(1));
        ws.0.get_ref().sock.set_read_timeout(Some(left)).unwrap();
        match ws.0.read() {
            Ok(tungstenite::Message::Text(t)) => frames.push(serde_json::from_str(&t).unwrap()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break;
            }
            Err(e) => panic!("socket failed: {e}"),
        }
    }
    ws.0.get_ref()
        .sock
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    frames
}

pub(super) fn mentions(frame: &Value, id: ConversationId) -> bool {
    let id = id.0.to_string();
    frame["conversation"] == id.as_str()
        || frame["conversations"]
            .as_array()
            .is_some_and(|l| l.iter().any(|c| c["id"] == id.as_str()))
        || frame["removed"]
            .as_array()
            .is_some_and(|l| l.iter().any(|r| r == id.as_str()))
}

/// Reads queue frames until one lists `id`.
fn queue_with(ws: &mut Ws, id: ConversationId) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let q = ws.recv_queue();
        if mentions(&q, id) {
            return q["conversations"].as_array().unwrap().clone();
        }
    }
    panic!("queue never listed {id:?}");
}

/// A visitor of `widget` who has said `text`; returns the socket and the conversation.
pub(super) fn visitor_says(w: &World, widget: &str, text: &str) -> (Ws, ConversationId) {
    let mut v = visitor(&w.server, widget);
    hello(&mut v, None);
    say(&mut v, "v1", text);
    v.recv_type("ack");
    let latest = conversations_of(w, widget);
    (v, latest)
}

fn conversations_of(w: &World, widget: &str) -> ConversationId {
    use diesel::prelude::*;
    use plauder::db::schema::{conversations as c, widgets as wd};
    c::table
        .inner_join(wd::table)
        .filter(wd::public_id.eq(widget))
        // Ids grow within the process; the test clock does not move.
        .order(c::id.desc())
        .select(c::id)
        .first::<i64>(&mut *w.server.conn())
        .map(ConversationId)
        .unwrap()
}

/// One frame of every command the console protocol knows, aimed at `id`.
fn command(kind: &str, id: ConversationId, other: &str) -> Value {
    let conversation = id.0.to_string();
    match kind {
        "open" | "take" | "close" => json!({"type": kind, "conversation": conversation}),
        "send" => {
            json!({"type": "send", "conversation": conversation, "id": "x1", "text": "Eingriff"})
        }
        "typing" => json!({"type": "typing", "conversation": conversation, "active": true}),
        "transfer" => json!({"type": "transfer", "conversation": conversation, "to": other}),
        "availability" => json!({"type": "availability", "status": "online"}),
        unknown => panic!("console command `{unknown}` has no sample here: add one"),
    }
}

/// Every command on a conversation outside the scope is answered like an unknown one, and
/// nothing about the conversation changes.
fn every_command_refused(w: &World, ws: &mut Ws, id: ConversationId, other: &str) {
    let before = conversations::by_id(&mut w.server.conn(), id)
        .unwrap()
        .unwrap();
    for kind in plauder::console::COMMAND_KINDS {
        ws.send(command(kind, id, other));
        if kind == "availability" {
            continue;
        }
        let error = ws.recv_type("error");
        assert_eq!(error["message"], "unknown conversation", "{kind}");
    }
    let after = conversations::by_id(&mut w.server.conn(), id)
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.status, after.operator, after.last_seq),
        (before.status, before.operator, before.last_seq),
        "nothing changed"
    );
}

both_backends!(team_a_receives_and_touches_nothing_of_team_b, |db| {
    let w = world(db);
    let opb_id = add_staff(&w.server, "opb", Role::Operator, None);
    let now = w.server.clock.now().naive_utc();
    let operator = Role::Operator.id();
    staff::set_access(&mut w.server.conn(), opb_id, operator, &[w.team_b], now).unwrap();
    let mut op = console(&w, &login(&w, Who::Operator));
    let mut opb = console(&w, &w.server.login("opb", GOOD_PASSWORD));
    let sup = console(&w, &login(&w, Who::Supervisor));

    let (mut v, b) = visitor_says(&w, &w.widget_b, "Hallo aus Team B");
    // The probe works: team B's operator sees the conversation arrive.
    queue_with(&mut opb, b);
    v.send(json!({"v": 1, "type": "typing", "active": true, "text": "geheim"}));
    let seen: Vec<Value> = frames_for(&mut op, Duration::from_millis(1500));
    assert!(
        seen.iter().any(|f| f["type"] == "queue"),
        "queues did arrive"
    );
    assert!(
        !seen.iter().any(|f| mentions(f, b)),
        "team A's console never hears of it: {seen:?}"
    );
    let queue = seen.iter().rev().find(|f| f["type"] == "queue").unwrap();
    for c in &w.convs {
        assert_eq!(mentions(queue, c.id), c.team_a, "{c:?} in team A's queue");
    }

    // Offered for a transfer: colleagues of the own teams only.
    let offered = seen
        .iter()
        .rev()
        .find(|f| f["type"] == "operators")
        .unwrap()["operators"]
        .clone();
    let names: Vec<&str> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"sup"),
        "a team colleague is offered: {names:?}"
    );
    assert!(!names.contains(&"opb"), "team B is not offered: {names:?}");

    every_command_refused(&w, &mut op, b, &opb_id.0.to_string());

    // Even a conversation of team A cannot be handed to someone outside the team.
    let a = w.convs[0].id;
    op.send(json!({"type": "take", "conversation": a.0.to_string()}));
    let deadline = Instant::now() + Duration::from_secs(5);
    while conversations::by_id(&mut w.server.conn(), a)
        .unwrap()
        .unwrap()
        .status
        != Status::Active
    {
        assert!(Instant::now() < deadline, "take was stored");
        std::thread::sleep(Duration::from_millis(20));
    }
    op.send(
        json!({"type": "transfer", "conversation": a.0.to_string(), "to": opb_id.0.to_string()}),
    );
    assert!(
        op.recv_type("error")["message"]
            .as_str()
            .unwrap()
            .contains("of its team")
    );
    let held = conversations::by_id(&mut w.server.conn(), a)
        .unwrap()
        .unwrap();
    assert_eq!(held.operator, Some(w.id("op")));
    drop(sup);

    // The custom role limited to its own chats: a colleague's chat is as unknown as team B's.
    let mut own = console(&w, &login(&w, Who::Own));
    every_command_refused(&w, &mut own, w.convs[1].id, &w.id("admin").0.to_string());
});

both_backends!(a_changed_team_or_role_reaches_the_open_socket, |db| {
    let w = world(db);
    let mut op_http = login(&w, Who::Operator);
    let mut op = console(&w, &op_http);
    let (mut v, a) = visitor_says(&w, &w.widget_a, "eins");
    queue_with(&mut op, a);
    op.send(json!({"type": "open", "conversation": a.0.to_string()}));
    assert_eq!(op.recv_type("transcript")["lines"][0]["text"], "eins");
    say(&mut v, "v2", "zwei");
    assert_eq!(
        op.recv_type("message")["line"]["text"],
        "zwei",
        "the probe hears"
    );

    // The admin takes the operator out of team A: the open conversation is withdrawn.
    let mut admin = login(&w, Who::Admin);
    let csrf = admin.get("/admin").csrf();
    let path = format!("/admin/staff/{}", w.id("op").0);
    let operator = Role::Operator.id().0.to_string();
    let r = admin.post(&path, &[("csrf", &csrf), ("role", &operator)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let revoked = op.recv_type("revoked");
    assert_eq!(revoked["conversation"], a.0.to_string());
    say(&mut v, "v3", "drei");
    v.recv_type("ack");
    let after = frames_for(&mut op, Duration::from_millis(1500));
    assert!(
        !after.iter().any(|f| mentions(f, a)),
        "nothing of it arrives any more: {after:?}"
    );
    assert_eq!(op_http.get("/console").status, 200, "still an operator");

    // Demoted to Auditor: the socket closes, the same session loses the console at once.
    let auditor = Role::Auditor.id().0.to_string();
    let r = admin.post(&path, &[("csrf", &csrf), ("role", &auditor)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let (code, reason) = op.close_reason().unwrap();
    assert_eq!((code, reason.as_str()), (1008, "access changed"));
    assert_eq!(op_http.get("/console").status, 403);
    assert_eq!(
        op_http
            .get(&format!("/console/conversations/{}", a.0))
            .status,
        403
    );
});
