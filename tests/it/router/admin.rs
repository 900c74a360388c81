//! Rule administration: every bad field is refused with its name and nothing is saved;
//! CSRF, permission and the navigation link.

use super::{SHOP, add_rule, listed_rule_ids, rule_count, widget};
use crate::both_backends;
use crate::support::{TestServer, add_staff};
use plauder::db::staff::Role;

both_backends!(bad_rules_are_refused_with_the_field_named, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    let target = widget(&mut admin, "Shop", SHOP, "#0b5cad");
    let cases: [(&[(&str, &str)], &str); 7] = [
        (
            &[
                ("url_kind", "regex"),
                ("url_pattern", "(["),
                ("target", &target),
            ],
            "url_pattern",
        ),
        (
            &[
                ("url_kind", "glob"),
                ("url_pattern", "/[ab]"),
                ("target", &target),
            ],
            "url_pattern",
        ),
        (&[("url_kind", "maybe"), ("target", &target)], "url_kind"),
        (&[("target", "unknown-widget")], "target"),
        (&[("device", "fridge"), ("target", &target)], "device"),
        (&[("lang", "deutsch"), ("target", &target)], "lang"),
        (&[("country", "DE, XX"), ("target", &target)], "country"),
    ];
    for (fields, field) in cases {
        let r = add_rule(&mut admin, fields);
        assert_eq!(r.status, 400, "{field}: {}", r.body);
        assert!(
            r.body.contains(&format!("id=\"{field}-error\"")),
            "{field} named: {}",
            r.body
        );
        assert!(r.body.contains("Please correct the marked fields"));
    }
    let r = add_rule(
        &mut admin,
        &[
            ("url_kind", "regex"),
            ("url_pattern", "(["),
            ("target", &target),
        ],
    );
    assert!(r.body.contains("Invalid regular expression:") && r.body.contains("unclosed"));
    assert!(
        r.body.contains("value=\"([\""),
        "the input is kept for correction"
    );
    assert_eq!(rule_count(&server), 0, "nothing saved");

    // A bad edit leaves the stored rule as it was.
    assert_eq!(
        add_rule(&mut admin, &[("lang", "de"), ("target", &target)]).status,
        303
    );
    let id = listed_rule_ids(&mut admin)[0].clone();
    let csrf = admin.get("/admin/router").csrf();
    let r = admin.post(
        &format!("/admin/router/{id}"),
        &[
            ("url_kind", "regex"),
            ("url_pattern", "a)"),
            ("lang", "de"),
            ("target", &target),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("id=\"url_pattern-error\""));
    let page = admin.get(&format!("/admin/router/{id}"));
    assert!(page.body.contains("value=\"de\"") && !page.body.contains("value=\"a)\""));

    // CSRF, permission and GET-without-effect.
    let r = admin.post(
        "/admin/router",
        &[("url_kind", "prefix"), ("target", &target)],
    );
    assert_eq!(r.status, 403);
    let r = admin.post(&format!("/admin/router/{id}/delete"), &[("csrf", "wrong")]);
    assert_eq!(r.status, 403);
    let get = admin.get(&format!("/admin/router/{id}/delete"));
    assert!(
        (400..500).contains(&get.status),
        "GET changes nothing: {}",
        get.status
    );
    assert_eq!(rule_count(&server), 1);
    add_staff(&server, "olga", Role::Operator, None);
    let mut olga = server.login("olga", crate::support::GOOD_PASSWORD);
    assert_eq!(olga.get("/admin/router").status, 403);
    let csrf = olga.get("/console").csrf();
    let r = olga.post(
        "/admin/router",
        &[("url_kind", "prefix"), ("target", &target), ("csrf", &csrf)],
    );
    assert_eq!(r.status, 403);
    assert!(
        !olga.get("/admin").body.contains("href=\"/admin/router\""),
        "no nav link"
    );
    assert!(
        admin.get("/admin").body.contains("href=\"/admin/router\""),
        "nav link for admins"
    );
    assert_eq!(rule_count(&server), 1);
});
