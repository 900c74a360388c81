//! The live console asks for a reason before it opens a conversation the staff member did
//! not handle, where their role demands one (`access::reason_needed`, as the transcript
//! page does): nothing is read and nothing audited until a usable reason comes, and the
//! conversation's audit entry then carries it. A role without the flag opens at once.

use super::sockets::{console, frames_for};
use super::{Who, World, login, world};
use crate::both_backends;
use plauder::clock::Clock as _;
use plauder::db::conversations::ConversationId;
use plauder::db::roles::{self, Builtin};
use serde_json::json;
use std::time::Duration;

/// The reasons of the conversation's `conversation_opened` entries.
fn opened(w: &World, id: ConversationId) -> Vec<Option<String>> {
    crate::audit::rows(&w.server)
        .into_iter()
        .filter(|r| r.action == "conversation_opened" && r.object_id == Some(id.0))
        .map(|r| r.reason)
        .collect()
}

both_backends!(
    the_console_asks_for_a_reason_where_the_role_demands_one,
    |db| {
        let w = world(db);
        let now = w.server.clock.naive();
        roles::set_reason_required(&mut w.server.conn(), Builtin::Supervisor.id(), true, now)
            .unwrap();
        let id = w.convs[0].id;
        let text = id.0.to_string();
        let mut sup = console(&w, &login(&w, Who::Supervisor));

        sup.send(json!({"type": "open", "conversation": text}));
        let asked = sup.recv_type("reason_needed");
        assert_eq!(
            (&asked["conversation"], &asked["invalid"]),
            (&json!(text), &json!(false))
        );
        let seen = frames_for(&mut sup, Duration::from_millis(500));
        assert!(!seen.iter().any(|f| f["type"] == "transcript"), "{seen:?}");
        assert!(opened(&w, id).is_empty(), "nothing read, nothing audited");

        sup.send(json!({"type": "open", "conversation": text, "reason": " \n "}));
        assert_eq!(sup.recv_type("reason_needed")["invalid"], json!(true));
        assert!(opened(&w, id).is_empty());

        let reason = "Beschwerde vom 3. März prüfen";
        sup.send(json!({"type": "open", "conversation": text, "reason": reason}));
        assert_eq!(sup.recv_type("transcript")["conversation"], json!(text));
        assert_eq!(opened(&w, id), [Some(reason.to_string())]);

        // The operator's role demands no reason: the transcript comes at once.
        let mut op = console(&w, &login(&w, Who::Operator));
        op.send(json!({"type": "open", "conversation": text}));
        assert_eq!(op.recv_type("transcript")["conversation"], json!(text));
        assert_eq!(opened(&w, id).len(), 2);
    }
);
