//! Who may export what: a role without exports gets 403; a conversation outside the
//! actor's scope answers exactly like a missing one (404), refuses the whole selection,
//! exports nothing and is recorded as `not_found`.

use super::{audit_head, exported_since, fetch};
use crate::access::{Who, login, world};
use crate::both_backends;

both_backends!(exports_stay_within_the_role_and_its_scope, |db| {
    let w = world(db);
    let s = &w.server;
    let [a_free, a_admin, b_free, _] = w.convs;
    let url = |ids: &[i64]| {
        let q: Vec<String> = ids.iter().map(|i| format!("id={i}")).collect();
        format!("/console/conversations/export?format=csv&{}", q.join("&"))
    };

    // Without exports: 403, whatever is asked for.
    for who in [Who::Operator, Who::Auditor, Who::Own] {
        let r = fetch(s, &login(&w, who), &url(&[a_free.id.0]));
        assert_eq!(r.status, 403, "{who:?}");
        assert!(r.text().starts_with("Forbidden"), "{who:?}");
    }

    // The supervisor (team A) exports team A but not team B.
    let sup = login(&w, Who::Supervisor);
    let ok = fetch(s, &sup, &url(&[a_free.id.0, a_admin.id.0]));
    assert_eq!(ok.status, 200);
    assert!(ok.text().contains(&a_admin.id.0.to_string()));
    let missing = fetch(s, &sup, &url(&[4242]));
    assert_eq!(missing.status, 404);
    let before = audit_head(s);
    let hidden = fetch(s, &sup, &url(&[a_free.id.0, b_free.id.0]));
    assert_eq!(hidden.status, 404);
    assert_eq!(
        hidden.body, missing.body,
        "outside the scope reads as missing"
    );
    assert_eq!(
        hidden.header("content-type"),
        missing.header("content-type")
    );
    assert!(!hidden.text().contains(&a_free.id.0.to_string()));
    assert_eq!(
        exported_since(s, before),
        [(
            "conversation".to_string(),
            Some(b_free.id.0),
            "not_found".to_string()
        )],
        "the refusal names the conversation; nothing for the in-scope one"
    );

    // The data-protection officer reaches every team.
    let dpo = fetch(s, &login(&w, Who::Dpo), &url(&[b_free.id.0]));
    assert_eq!(dpo.status, 200);
    assert!(dpo.text().contains(&b_free.id.0.to_string()));
    // The supervisor's export holds the visitor's name (contacts read).
    assert!(ok.text().contains("Erika Mustermann"));

    // Nothing ticked: the search filter's matches, within the scope, each recorded.
    let before = audit_head(s);
    let all = fetch(
        s,
        &sup,
        "/console/conversations/export?format=csv&order=asc",
    );
    assert_eq!(all.status, 200, "{}", all.text());
    let lines: Vec<String> = all.text().lines().skip(1).map(String::from).collect();
    let exported: Vec<i64> = lines
        .iter()
        .map(|l| l.split(';').next().unwrap().parse().unwrap())
        .collect();
    let mut expected: Vec<i64> = w
        .convs
        .iter()
        .filter(|c| c.team_a)
        .map(|c| c.id.0)
        .collect();
    expected.sort();
    assert_eq!(
        exported, expected,
        "team A's conversations, oldest first, not team B's"
    );
    let mut entries = exported_since(s, before);
    assert_eq!(
        entries.remove(0),
        ("none".to_string(), None, "ok".to_string())
    );
    let recorded: Vec<i64> = entries.iter().map(|e| e.1.unwrap()).collect();
    assert_eq!(recorded, expected, "one entry per exported conversation");
    let widget_b = plauder::db::widgets::by_public_id(&mut s.conn(), &w.widget_b)
        .unwrap()
        .unwrap()
        .id;
    let filtered = fetch(
        s,
        &login(&w, Who::Dpo),
        &format!(
            "/console/conversations/export?format=csv&widget={}",
            widget_b.0
        ),
    );
    assert_eq!(filtered.status, 200);
    assert_eq!(
        filtered.text().lines().count(),
        2,
        "header and team B's one"
    );
    assert!(filtered.text().contains(&b_free.id.0.to_string()));
    let long = "x".repeat(300);
    let refused = fetch(
        s,
        &sup,
        &format!("/console/conversations/export?format=csv&q={long}"),
    );
    assert_eq!(
        refused.status, 400,
        "too long a search is not taken for everything"
    );
});
