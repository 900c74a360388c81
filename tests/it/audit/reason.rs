//! The reason a role may demand before a transcript opens outside the actor's own
//! conversations: asked before anything is read, recorded with the entry.

use super::rows;
use crate::both_backends;
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::clock::Clock as _;
use plauder::db::roles::{self, Builtin};
use plauder::db::staff::Role;

both_backends!(
    a_role_that_demands_a_reason_asks_before_a_transcript,
    |db: Db| {
        let server = TestServer::start(db);
        let w = crate::privacy_mode::widget_with(&server, &[]);
        let (_visitor, _, id) =
            crate::self_service::chatting(&server, &w, &["Zeta-Nachricht Kundendaten"]);
        let dora = add_staff(&server, "dora", Role::Dpo, None).0;
        let olga = add_staff(&server, "olga", Role::Operator, None);
        let path = format!("/console/conversations/{id}");
        let viewed = |s: &TestServer| -> Vec<(Option<i64>, Option<String>, String)> {
            rows(s)
                .into_iter()
                .filter(|r| r.action == "conversation_viewed")
                .map(|r| (r.actor_id, r.reason, r.outcome))
                .collect()
        };

        // The data-protection officer (the seed requires it) is asked; the form reads nothing.
        let mut d = server.login("dora", GOOD_PASSWORD);
        let form = d.get(&path);
        assert_eq!(form.status, 200);
        assert!(form.body.contains("name=\"reason\""), "{}", form.body);
        assert!(!form.body.contains("Zeta-Nachricht"));
        assert!(viewed(&server).is_empty(), "showing the form is no read");
        let csrf = form.csrf();
        for bad in ["", "   \n ", &"x".repeat(501)] {
            let r = d.post(&path, &[("csrf", &csrf), ("reason", bad)]);
            assert_eq!(r.status, 400, "{bad:?}");
            assert!(r.body.contains("id=\"reason-error\""));
            assert!(!r.body.contains("Zeta-Nachricht"));
        }
        let r = d.post(&path, &[("reason", "Auskunft Art. 15")]);
        assert_eq!(r.status, 403, "without CSRF");
        assert!(viewed(&server).is_empty());
        let r = d.post(
            &path,
            &[
                ("csrf", &csrf),
                ("reason", "Auskunft nach\r\nArt. 15 DSGVO"),
            ],
        );
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Zeta-Nachricht Kundendaten"));
        assert_eq!(
            viewed(&server),
            [(
                Some(dora),
                Some("Auskunft nach Art. 15 DSGVO".into()),
                "ok".into()
            )]
        );
        // Outside the scope or missing: the 404 of a missing conversation, reason or not.
        let missing = d.post(
            &format!("/console/conversations/{}", id + 1),
            &[("csrf", &csrf), ("reason", "x")],
        );
        assert_eq!(missing.status, 404);

        // A role without the flag is not asked, and its entry has no reason.
        let mut o = server.login("olga", GOOD_PASSWORD);
        let page = o.get(&path);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Zeta-Nachricht"));
        assert!(!page.body.contains("name=\"reason\""));
        assert_eq!(
            viewed(&server).last().unwrap(),
            &(Some(olga.0), None, "ok".into())
        );

        // With the flag on the operators' role: asked for a conversation someone else handles
        // or nobody does yet, not for the own one.
        let mut admin = server.admin();
        let role = format!("/admin/roles/{}", Builtin::Operator.id().0);
        let csrf_admin = admin.get(&role).csrf();
        let on = admin.post(
            &format!("{role}/reason"),
            &[("csrf", &csrf_admin), ("required", "on")],
        );
        assert_eq!(on.status, 303);
        assert!(
            o.get(&path).body.contains("name=\"reason\""),
            "unassigned: asked"
        );
        let now = server.clock.naive();
        let conversation = plauder::db::conversations::ConversationId(id);
        assert!(
            plauder::db::conversations::take(&mut server.conn(), conversation, olga, now).unwrap()
        );
        let own = o.get(&path);
        assert!(
            own.body.contains("Zeta-Nachricht"),
            "the own conversation: not asked"
        );

        // And off again for the data-protection officer: no longer asked.
        let dpo = format!("/admin/roles/{}", Builtin::Dpo.id().0);
        let off = admin.post(&format!("{dpo}/reason"), &[("csrf", &csrf_admin)]);
        assert_eq!(off.status, 303);
        assert!(!roles::reason_required(&mut server.conn(), Builtin::Dpo.id()).unwrap());
        let plain = d.get(&path);
        assert!(plain.body.contains("Zeta-Nachricht"), "{}", plain.body);
        crate::audit::intact(&server);
    }
);
