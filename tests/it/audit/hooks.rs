//! Audited actions leave their entries, without any personal value.

use super::rows;
use crate::both_backends;
use crate::self_service::{chatting, identify, my_data};
use crate::support::{Db, TestServer};
use plauder::db::audit::Row;
use serde_json::json;

/// Every text an audit row holds, as a probe for personal values.
fn texts(r: &Row) -> String {
    format!(
        "{} {:?} {} {} {:?} {} {:?}",
        r.actor, r.actor_id, r.action, r.object_type, r.object_id, r.outcome, r.reason
    )
}

/// An entry as (actor, actor id, object type, object id, outcome).
pub type Seen = (String, Option<i64>, String, Option<i64>, String);

/// Entries of an action.
pub fn of(server: &TestServer, action: &str) -> Vec<Seen> {
    rows(server)
        .into_iter()
        .filter(|r| r.action == action)
        .map(|r| (r.actor, r.actor_id, r.object_type, r.object_id, r.outcome))
        .collect()
}

/// No audit row holds the marker; the probe is shown to find it first.
pub fn assert_no_marker(server: &TestServer, markers: &[&str]) {
    let mut conn = server.conn();
    let planted = plauder::audit::Entry::new(
        plauder::clock::Clock::naive(server.clock.as_ref()),
        plauder::audit::Actor::System,
        plauder::audit::Action::JobRun,
        plauder::audit::Object::none(),
    )
    .reason(format!("probe {}", markers.join(" ")));
    plauder::audit::append(&mut conn, &server.state.ring, &planted).unwrap();
    drop(conn);
    let all = rows(server);
    for marker in markers {
        let lower = marker.to_lowercase();
        let hits: Vec<&Row> = all
            .iter()
            .filter(|r| texts(r).to_lowercase().contains(&lower))
            .collect();
        assert_eq!(hits.len(), 1, "the probe finds the planted {marker}");
        assert_eq!(
            hits[0].reason.as_deref().map(|r| r.starts_with("probe")),
            Some(true)
        );
    }
    assert!(all.len() > 1, "there are other rows to look at");
}

both_backends!(
    visitor_self_service_is_audited_without_personal_data,
    |db: Db| {
        let server = TestServer::start(db);
        let w = crate::privacy_mode::widget_with(&server, &[]);
        let (mut ws, _, id) = chatting(&server, &w, &["Zeta-Nachricht 4711"]);
        identify(&mut ws, "Zeta Markerfrau", "zeta.marker@example.de");
        assert!(my_data(&mut ws)["data"].is_object());
        assert_eq!(
            of(&server, "self_service_shown"),
            [(
                "visitor".into(),
                None,
                "conversation".into(),
                Some(id),
                "ok".into()
            )]
        );
        ws.send(json!({"v": 1, "type": "erase"}));
        ws.recv_type("erased");
        assert_eq!(
            of(&server, "self_service_erased"),
            [(
                "visitor".into(),
                None,
                "conversation".into(),
                Some(id),
                "ok".into()
            )]
        );
        // Withdrawal under the keep-until-retention policy.
        let keep = crate::privacy_mode::widget_with(
            &server,
            &[("withdrawal_policy", "keep_until_retention")],
        );
        let (mut ws, _, kept) = chatting(&server, &keep, &["Bitte behalten"]);
        ws.send(json!({"v": 1, "type": "withdraw"}));
        ws.recv_type("withdrawn");
        assert_eq!(
            of(&server, "consent_withdrawn"),
            [(
                "visitor".into(),
                None,
                "conversation".into(),
                Some(kept),
                "ok".into()
            )]
        );
        crate::audit::intact(&server);
        assert_no_marker(
            &server,
            &[
                "Zeta Markerfrau",
                "zeta.marker@example.de",
                "Zeta-Nachricht 4711",
            ],
        );
    }
);
