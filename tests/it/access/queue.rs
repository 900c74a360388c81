//! The console queue: after the first full list a console gets only what changed (a
//! conversation added, changed or gone), and a full list is read from the widgets the
//! console may see, so many newer conversations of another team cannot crowd out its own.

use super::sockets::{console, frames_for, mentions, visitor_says};
use super::{Who, login, world};
use crate::both_backends;
use plauder::clock::Clock as _;
use plauder::db::conversations::{self, ConversationId, NewConversation};
use serde_json::{Value, json};
use std::time::Duration;

/// Frames until one mentions `id`, with every frame read on the way.
fn until_mentioned(ws: &mut crate::support::ws::Ws, id: ConversationId) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..50 {
        let frames = frames_for(ws, Duration::from_millis(200));
        let found = frames.iter().any(|f| mentions(f, id));
        seen.extend(frames);
        if found {
            return seen;
        }
    }
    panic!("nothing mentioned {id:?}: {seen:?}");
}

both_backends!(after_the_first_list_only_changes_arrive, |db| {
    let w = world(db);
    let mut op = console(&w, &login(&w, Who::Operator));
    let first = op.recv();
    assert_eq!(
        first["type"], "queue",
        "a console starts with the whole list"
    );

    let (_v, id) = visitor_says(&w, &w.widget_a, "Hallo");
    let seen = until_mentioned(&mut op, id);
    let added = seen.iter().find(|f| mentions(f, id)).unwrap();
    assert_eq!(added["type"], "queue_changed", "{seen:?}");
    assert_eq!(added["conversations"][0]["status"], "waiting");
    assert!(
        !seen.iter().any(|f| f["type"] == "queue"),
        "no full list for a change: {seen:?}"
    );

    let text = id.0.to_string();
    op.send(json!({"type": "take", "conversation": text}));
    op.send(json!({"type": "close", "conversation": text}));
    let mut gone = false;
    for _ in 0..50 {
        let frames = frames_for(&mut op, Duration::from_millis(200));
        gone |= frames.iter().any(|f| {
            f["type"] == "queue_changed" && f["removed"].as_array().unwrap().contains(&json!(text))
        });
        if gone {
            break;
        }
    }
    assert!(gone, "a closed conversation leaves the queue as a removal");
});

both_backends!(many_newer_chats_of_another_team_do_not_hide_the_own, |db| {
    let w = world(db);
    let team_b_widget = conversations::by_id(&mut w.server.conn(), w.convs[2].id)
        .unwrap()
        .unwrap()
        .widget;
    let own = w.convs[0].id;
    // 501 newer open conversations of team B: more than a full list holds.
    let later = w.server.clock.now().naive_utc() + chrono::Duration::minutes(5);
    let mut conn = w.server.conn();
    for _ in 0..501 {
        let token = plauder::crypto::random_bytes::<32>().unwrap();
        let new = NewConversation {
            widget: team_b_widget,
            token_hash: &token,
            offline: false,
            name: None,
            email: None,
        };
        conversations::create(&mut conn, &w.server.state.ring, &new, later).unwrap();
    }
    drop(conn);
    let mut op = console(&w, &login(&w, Who::Operator));
    let queue = op.recv_queue();
    assert!(
        mentions(&queue, own),
        "team A's own chat is listed: {queue}"
    );
    assert!(!mentions(&queue, w.convs[2].id), "team B's is not");
});
