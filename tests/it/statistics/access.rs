//! Who may see statistics and change the naming setting; bad periods; audit entries.

use super::{PERIOD, fixture};
use crate::both_backends;
use crate::support::{GOOD_PASSWORD, add_staff};
use plauder::db::staff::Role;

fn entries(server: &crate::support::TestServer, action: &str) -> Vec<plauder::db::audit::Row> {
    crate::audit::rows(server)
        .into_iter()
        .filter(|r| r.action == action)
        .collect()
}

both_backends!(statistics_need_the_right_and_a_good_period, |db| {
    let f = fixture(db);
    let s = &f.server;
    add_staff(s, "sup", Role::Supervisor, None);
    add_staff(s, "dpo", Role::Dpo, None);
    let page = format!("/admin/statistics?{PERIOD}");
    let csv = format!("/admin/statistics/export.csv?{PERIOD}");
    for user in ["erika.op", "dpo"] {
        let mut c = s.login(user, GOOD_PASSWORD);
        for path in [&page, &csv] {
            let r = c.get(path);
            assert_eq!(r.status, 403, "{user} {path}: {}", r.body);
        }
        let nav = c.get("/admin").body;
        assert!(
            !nav.contains("href=\"/admin/statistics\""),
            "{user}: no link"
        );
    }
    let mut sup = s.login("sup", GOOD_PASSWORD);
    let r = sup.get(&page);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("href=\"/admin/statistics\""), "nav link");
    assert!(
        r.body.contains("Team Süd"),
        "every team's figures (the area has no scope)"
    );
    assert!(
        !r.body.contains("href=\"/admin/settings\""),
        "no settings link"
    );
    assert_eq!(sup.get(&csv).status, 200);

    let viewed = entries(s, "statistics_viewed").len();
    for (query, field) in [
        ("from=2026-13-01&to=2026-03-08", "from:"),
        ("from=2026-03-02&to=8.3.2026", "to:"),
        ("from=2026-03-08&to=2026-03-02", "earlier than from"),
        ("from=2025-01-01&to=2026-01-02", "366"),
    ] {
        for path in ["/admin/statistics", "/admin/statistics/export.csv"] {
            let r = sup.get(&format!("{path}?{query}"));
            assert_eq!(r.status, 400, "{path}?{query}");
            assert!(r.body.contains(field), "{query}: {}", r.body);
        }
    }
    assert_eq!(
        entries(s, "statistics_viewed").len(),
        viewed,
        "nothing read, nothing logged"
    );
    // Views and exports are audited with the actor, and nothing else.
    let sup_id = plauder::db::staff::by_username(&mut s.conn(), "sup")
        .unwrap()
        .unwrap()
        .id;
    let exported = entries(s, "statistics_exported");
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].actor_id, Some(sup_id.0));
    assert_eq!(
        (exported[0].object_type.as_str(), exported[0].object_id),
        ("none", None)
    );
    assert_eq!(exported[0].outcome, "ok");
    assert!(
        entries(s, "statistics_viewed")
            .iter()
            .any(|r| r.actor_id == Some(sup_id.0))
    );
});

both_backends!(naming_setting_needs_settings_edit_and_is_audited, |db| {
    let f = fixture(db);
    let s = &f.server;
    add_staff(s, "sup", Role::Supervisor, None);
    add_staff(s, "dpo", Role::Dpo, None);
    let stored = || plauder::db::settings::get(&mut s.conn(), "statistics.operator_names").unwrap();
    // Supervisors hold no settings right at all.
    let mut sup = s.login("sup", GOOD_PASSWORD);
    assert_eq!(sup.get("/admin/settings").status, 403);
    let csrf = sup.get("/admin").csrf();
    let r = sup.post(
        "/admin/settings/statistics",
        &[("csrf", &csrf), ("operator_names", "named")],
    );
    assert_eq!(r.status, 403);
    // The data-protection officer reads settings but may not change them.
    let mut dpo = s.login("dpo", GOOD_PASSWORD);
    let page = dpo.get("/admin/settings");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("href=\"/admin/settings\""), "nav link");
    assert!(
        page.body.contains("value=\"anonymised\" checked"),
        "the default"
    );
    assert!(page.body.contains(" disabled"), "read only");
    assert!(!page.body.contains("type=\"submit\" class=\"primary\""));
    let r = dpo.post(
        "/admin/settings/statistics",
        &[("csrf", &page.csrf()), ("operator_names", "named")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(stored(), None);

    let mut admin = s.admin();
    let csrf = admin.get("/admin/settings").csrf();
    let r = admin.post("/admin/settings/statistics", &[("operator_names", "named")]);
    assert_eq!(r.status, 403, "no CSRF token");
    for bad in [
        &[("csrf", csrf.as_str()), ("operator_names", "Named")][..],
        &[("csrf", csrf.as_str())],
    ] {
        let r = admin.post("/admin/settings/statistics", bad);
        assert_eq!(r.status, 400);
        assert!(r.body.contains("id=\"operator-names-error\""), "{}", r.body);
    }
    assert_eq!(stored(), None);
    assert!(
        entries(s, "settings_changed").is_empty(),
        "refused: nothing audited"
    );
    let r = admin.post(
        "/admin/settings/statistics",
        &[("csrf", &csrf), ("operator_names", "omitted")],
    );
    assert_eq!(
        (r.status, r.location()),
        (303, "/admin/settings?done=saved")
    );
    assert_eq!(stored().as_deref(), Some("omitted"));
    let page = admin.get("/admin/settings?done=saved").body;
    assert!(page.contains("value=\"omitted\" checked") && page.contains("role=\"status\""));
    let changed = entries(s, "settings_changed");
    assert_eq!(changed.len(), 1);
    let admin_id = plauder::db::staff::by_username(&mut s.conn(), "admin")
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(changed[0].actor_id, Some(admin_id.0));
    assert_eq!(
        (changed[0].object_type.as_str(), changed[0].object_id),
        ("settings", None)
    );
    // The statistics follow at once.
    let stats = admin.get(&format!("/admin/statistics?{PERIOD}")).body;
    assert!(stats.contains("id=\"operators-omitted\""));
    assert!(
        stats.contains("href=\"/admin/settings\""),
        "a way to the setting"
    );
});
