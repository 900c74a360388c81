//! A visitor's in-chat self-service lands in the register by itself: looking at their data
//! is an answered access request, erasing it an answered erasure request; each names only
//! the conversation id, with no personal value stored.

use crate::both_backends;
use crate::self_service::{chatting, identify, my_data};
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use diesel::prelude::*;
use plauder::db::schema::{dsr_actions, dsr_requests};
use plauder::db::staff::Role;
use serde_json::json;

type Stored = (
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<i64>,
    Option<i64>,
);

both_backends!(
    self_service_makes_answered_requests_without_personal_data,
    |db| {
        let server = TestServer::start(db);
        add_staff(&server, "dora", Role::Dpo, None);
        let w = crate::privacy_mode::widget_with(&server, &[]);
        let (mut anna, _, anna_id) = chatting(&server, &w, &["Was habt ihr über mich?"]);
        identify(&mut anna, "Anna Registerfall", "anna.register@example.de");
        assert_eq!(my_data(&mut anna)["data"]["name"], "Anna Registerfall");
        anna.send(json!({"v": 1, "type": "erase"}));
        anna.recv_type("erased");

        let stored: Vec<Stored> = dsr_requests::table
            .order(dsr_requests::id.asc())
            .select((
                dsr_requests::kind,
                dsr_requests::channel,
                dsr_requests::status,
                dsr_requests::received_at,
                dsr_requests::answered_at,
                dsr_requests::subject_enc,
                dsr_requests::notes_enc,
                dsr_requests::contact_id,
                dsr_requests::handler_id,
            ))
            .load(&mut *server.conn())
            .unwrap();
        let kinds: Vec<&str> = stored.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(kinds, ["access", "erasure"]);
        for (_, channel, status, received, answered, subject, notes, contact, handler) in &stored {
            assert_eq!(
                (channel.as_str(), status.as_str()),
                ("chat_self_service", "answered")
            );
            assert_eq!(Some(*received), *answered, "received and answered at once");
            assert!(subject.is_none() && notes.is_none() && contact.is_none() && handler.is_none());
        }
        let actions: Vec<(String, String, i64)> = dsr_actions::table
            .order(dsr_actions::id.asc())
            .select((
                dsr_actions::action,
                dsr_actions::object_kind,
                dsr_actions::object_id,
            ))
            .load(&mut *server.conn())
            .unwrap();
        assert_eq!(
            actions,
            [
                ("shown".to_string(), "conversation".to_string(), anna_id),
                ("erased".to_string(), "conversation".to_string(), anna_id),
            ]
        );

        // Staff see them answered, named only as a chat visitor.
        let mut dora = server.login("dora", GOOD_PASSWORD);
        let list = dora.get("/console/requests?status=answered").body;
        assert_eq!(
            list.matches("Chat visitor (self-service)").count(),
            2,
            "{list}"
        );
        assert!(!list.contains("Anna"));
        assert!(
            !dora.get("/admin").body.contains("requests-overdue"),
            "answered: not due"
        );
    }
);
