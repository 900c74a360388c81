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

pub fn admin_id(server: &TestServer) -> i64 {
    plauder::db::staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id
        .0
}

/// Makes every audit write fail, as a full disk or a broken table would.
pub fn block_audit(server: &TestServer, db: Db) {
    super::sql(
        server,
        match db {
            Db::Sqlite => {
                "CREATE TRIGGER audit_block BEFORE INSERT ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'audit blocked'); END;"
            }
            Db::Postgres => {
                "CREATE FUNCTION audit_block() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'audit blocked'; END $$; \
                 CREATE TRIGGER audit_block BEFORE INSERT ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_block();"
            }
        },
    );
}

pub fn unblock_audit(server: &TestServer, db: Db) {
    super::sql(
        server,
        match db {
            Db::Sqlite => "DROP TRIGGER audit_block",
            Db::Postgres => "DROP TRIGGER audit_block ON audit_log",
        },
    );
}

fn operator_socket(server: &TestServer) -> crate::support::ws::Ws {
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

both_backends!(
    reading_a_conversation_is_audited_and_needs_the_entry,
    |db: Db| {
        let server = TestServer::start(db);
        let w = crate::privacy_mode::widget_with(&server, &[]);
        let (_visitor, _, id) = chatting(&server, &w, &["Geheimnis-Nachricht 5150"]);
        let admin = admin_id(&server);
        let mut c = server.admin();

        // The transcript page: read after its entry, with a link to the conversation's history.
        let page = c.get(&format!("/console/conversations/{id}"));
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Geheimnis-Nachricht 5150"));
        assert!(
            page.body.contains(&format!(
                "/admin/audit?object_type=conversation&amp;object_id={id}"
            )),
            "history link: {}",
            page.body
        );
        assert_eq!(
            of(&server, "conversation_viewed"),
            [(
                "staff".into(),
                Some(admin),
                "conversation".into(),
                Some(id),
                "ok".into()
            )]
        );
        let missing = c.get(&format!("/console/conversations/{}", id + 1));
        assert_eq!(missing.status, 404);
        assert_eq!(of(&server, "conversation_viewed")[1].4, "not_found");

        // The live console: opening is an entry too.
        let mut op = operator_socket(&server);
        op.send(json!({"type": "open", "conversation": id.to_string()}));
        op.recv_type("transcript");
        assert_eq!(
            of(&server, "conversation_opened"),
            [(
                "staff".into(),
                Some(admin),
                "conversation".into(),
                Some(id),
                "ok".into()
            )]
        );

        // When the entry cannot be written, nothing is read and nothing shown.
        let before = super::rows(&server).len();
        block_audit(&server, db);
        let refused = c.get(&format!("/console/conversations/{id}"));
        assert!(refused.status >= 500, "{}", refused.status);
        assert!(!refused.body.contains("Geheimnis"), "{}", refused.body);
        op.send(json!({"type": "open", "conversation": id.to_string()}));
        let error = op.recv_type("error");
        assert!(!error.to_string().contains("Geheimnis"));
        let history = c.get("/admin/audit");
        assert!(history.status >= 500, "the audit view is audited as well");
        unblock_audit(&server, db);
        assert_eq!(super::rows(&server).len(), before, "nothing was written");
        assert_eq!(c.get(&format!("/console/conversations/{id}")).status, 200);
        crate::audit::intact(&server);
        assert_no_marker(&server, &["Geheimnis-Nachricht 5150"]);
    }
);

both_backends!(staff_and_widget_changes_are_audited, |db: Db| {
    let server = TestServer::start(db);
    let admin = admin_id(&server);
    let public_id = crate::privacy_mode::widget_with(&server, &[]);
    let widget = plauder::db::widgets::by_public_id(&mut server.conn(), &public_id)
        .unwrap()
        .unwrap()
        .id
        .0;
    assert_eq!(
        of(&server, "widget_created"),
        [(
            "staff".into(),
            Some(admin),
            "widget".into(),
            Some(widget),
            "ok".into()
        )]
    );
    let mut c = server.admin();
    let path = format!("/admin/widgets/{public_id}/masking");
    let csrf = c.get(&path).csrf();
    let r = c.post(&path, &[("csrf", csrf.as_str()), ("mask_cards", "on")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        of(&server, "privacy_changed"),
        [(
            "staff".into(),
            Some(admin),
            "widget".into(),
            Some(widget),
            "ok".into()
        )]
    );

    // Staff changes on the command line: the program is the actor.
    let add = crate::cli::plauder(
        &server,
        &[
            "user",
            "add",
            "ulla",
            "--role",
            "operator",
            "--email",
            "ulla.marker@example.de",
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let ulla = plauder::db::staff::by_username(&mut server.conn(), "ulla")
        .unwrap()
        .unwrap()
        .id
        .0;
    assert!(
        crate::cli::plauder(&server, &["user", "passwd", "ulla"])
            .status
            .success()
    );
    assert!(
        crate::cli::plauder(&server, &["user", "disable", "ulla"])
            .status
            .success()
    );
    for action in ["staff_created", "password_changed", "staff_disabled"] {
        assert_eq!(
            of(&server, action),
            [(
                "system".into(),
                None,
                "staff".into(),
                Some(ulla),
                "ok".into()
            )],
            "{action}"
        );
    }
    crate::audit::intact(&server);
    assert_no_marker(&server, &["ulla.marker@example.de"]);
});
