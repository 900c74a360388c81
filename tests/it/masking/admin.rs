//! The admin page for masking: defaults, refused patterns, permissions, and changes that
//! apply to the next message.

use super::{card_number, consented_visitor};
use crate::both_backends;
use crate::support::ws::say;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use crate::visitor::widget;
use plauder::db::staff::Role;
use serde_json::json;

both_backends!(
    admin_page_validates_patterns_and_changes_apply_at_once,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let path = format!("/admin/widgets/{w}/masking");
        let mut admin = server.admin();
        let page = admin.get(&path);
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("name=\"mask_cards\" checked")
                && page.body.contains("name=\"mask_ibans\" checked"),
            "cards and IBANs are masked by default"
        );
        let csrf = page.csrf();
        let widget_id = plauder::db::widgets::by_public_id(&mut server.conn(), &w)
            .unwrap()
            .unwrap()
            .id;

        // A bad pattern: 400 naming the field and the line, nothing saved, input kept.
        for (patterns, says) in [
            (
                "KD-\\d{6}\n(unclosed",
                "line 2: not a valid regular expression",
            ),
            ("a*", "line 1: the pattern can match empty text"),
        ] {
            let r = admin.post(&path, &[("csrf", csrf.as_str()), ("patterns", patterns)]);
            assert_eq!(r.status, 400, "{patterns}");
            assert!(r.body.contains("id=\"patterns-error\""), "{}", r.body);
            assert!(
                r.body.contains(&format!("Own patterns, {says}")),
                "{}",
                r.body
            );
            assert!(r.body.contains("aria-invalid=\"true\""));
            assert_eq!(
                plauder::db::masking::get(&mut server.conn(), widget_id).unwrap(),
                plauder::privacy::MaskingSettings::default(),
                "nothing saved"
            );
        }
        let no_csrf = admin.post(&path, &[("patterns", "x")]);
        assert_eq!(no_csrf.status, 403);
        add_staff(&server, "olga", Role::Operator, None);
        let mut olga = server.login("olga", GOOD_PASSWORD);
        assert_eq!(olga.get(&path).status, 403, "operators may not");

        // Cards off: a card number now passes through, on a socket opened after the change.
        let card = card_number();
        let r = admin.post(&path, &[("csrf", csrf.as_str()), ("mask_ibans", "on")]);
        assert_eq!(r.status, 303);
        let page = admin.get(r.location());
        assert!(
            page.body.contains("name=\"mask_cards\" aria") && page.body.contains("role=\"status\"")
        );
        let mut v = consented_visitor(&server, &w);
        say(&mut v, "c1", &card);
        let next = v.recv();
        assert_eq!(next["type"], "started");
        assert_eq!(v.recv()["type"], "ack", "no masked notice");
        // And on again: the same socket follows the change with its next message.
        let r = admin.post(&path, &[("csrf", csrf.as_str()), ("mask_cards", "on")]);
        assert_eq!(r.status, 303);
        say(&mut v, "c2", &card);
        assert_eq!(v.recv_type("masked")["kinds"], json!(["card"]));
    }
);
