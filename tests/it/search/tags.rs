//! Tags: added and removed on the transcript page (edit permission, scope, CSRF, audited),
//! and found by the tag filter.

use super::{conversation, found, set, widget};
use crate::access::{Who, login, world};
use crate::both_backends;

both_backends!(operators_tag_conversations_and_find_them_by_tag, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let a = conversation(&server, w, Some("Anna Schmidt"), None);
    let b = conversation(&server, w, Some("Bernd Schmidt"), None);
    let mut admin = server.admin();
    let page = admin.get(&format!("/console/conversations/{}", a.0));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"new-tag\""), "the form is offered");
    let csrf = page.csrf();
    let add = format!("/console/conversations/{}/tags", a.0);
    let changed_before = changes(&server, a.0);
    let r = admin.post(&add, &[("csrf", &csrf), ("tag", "  Beschwerde ")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(changes(&server, a.0), changed_before + 1, "audited");
    let page = admin.get(&format!("/console/conversations/{}", a.0));
    assert!(
        page.body.contains(">beschwerde<"),
        "stored trimmed and lower-case"
    );
    assert_eq!(found(&mut admin, &[("tag", "beschwerde")]), set(&[a]));
    assert_eq!(
        found(&mut admin, &[("tag", "Beschwerde"), ("q", "schmidt")]),
        set(&[a])
    );
    // Bad tags and missing CSRF are refused; nothing changes.
    for bad in ["", "   ", &"x".repeat(41)] {
        let r = admin.post(&add, &[("csrf", &csrf), ("tag", bad)]);
        assert_eq!(r.status, 400, "{bad:?}");
    }
    let r = admin.post(&add, &[("tag", "ohne-csrf")]);
    assert_eq!(r.status, 403);
    assert!(found(&mut admin, &[("tag", "ohne-csrf")]).is_empty());
    // A missing conversation is a 404.
    let r = admin.post(
        "/console/conversations/4242/tags",
        &[("csrf", &csrf), ("tag", "x")],
    );
    assert_eq!(r.status, 404);
    // Removing.
    let remove = format!("/console/conversations/{}/tags/remove", a.0);
    let r = admin.post(&remove, &[("csrf", &csrf), ("tag", "BESCHWERDE")]);
    assert_eq!(r.status, 303);
    assert!(found(&mut admin, &[("tag", "beschwerde")]).is_empty());
    assert_eq!(changes(&server, a.0), changed_before + 2);
    let _ = b;
});

both_backends!(tags_follow_permission_and_scope, |db| {
    let w = world(db);
    let team_b = w.convs[2].id;
    let team_a = w.convs[0].id;
    // The data protection officer reads conversations but does not edit them.
    let mut dpo = login(&w, Who::Dpo);
    let csrf = dpo.get("/admin").csrf();
    let r = dpo.post(
        &format!("/console/conversations/{}/tags", team_a.0),
        &[("csrf", &csrf), ("tag", "x")],
    );
    assert_eq!(r.status, 403);
    let page = dpo.get(&format!("/console/conversations/{}", team_a.0));
    assert!(
        !page.body.contains("id=\"new-tag\""),
        "no form without edit"
    );
    // An operator of team A: team A's conversation yes, team B's is "not found".
    let mut op = login(&w, Who::Operator);
    let csrf = op.get("/admin").csrf();
    let r = op.post(
        &format!("/console/conversations/{}/tags", team_a.0),
        &[("csrf", &csrf), ("tag", "team-a")],
    );
    assert_eq!(r.status, 303);
    let missing = op.post(
        "/console/conversations/4242/tags",
        &[("csrf", &csrf), ("tag", "x")],
    );
    let r = op.post(
        &format!("/console/conversations/{}/tags", team_b.0),
        &[("csrf", &csrf), ("tag", "team-b")],
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.body, missing.body);
    assert!(
        plauder::db::tags::of_conversation(&mut w.server.conn(), team_b)
            .unwrap()
            .is_empty()
    );
});

/// `conversation_changed` entries about a conversation.
fn changes(server: &crate::support::TestServer, id: i64) -> usize {
    crate::audit::rows(server)
        .iter()
        .filter(|r| r.action == "conversation_changed" && r.object_id == Some(id))
        .count()
}

both_backends!(the_tag_choices_are_each_tag_once_sorted_and_bounded, |db| {
    use plauder::db::tags;
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let mut conn = server.conn();
    assert_eq!(tags::in_use(&mut conn, 500).unwrap(), Vec::<String>::new());
    for (name, tag) in [
        ("A", "rückruf"),
        ("B", "beschwerde"),
        ("C", "rückruf"),
        ("D", "angebot"),
        ("E", "beschwerde"),
    ] {
        let c = conversation(&server, w, Some(name), None);
        tags::add(&mut conn, c, tag).unwrap().unwrap();
    }
    assert_eq!(
        tags::in_use(&mut conn, 500).unwrap(),
        ["angebot", "beschwerde", "rückruf"]
    );
    assert_eq!(
        tags::in_use(&mut conn, 2).unwrap(),
        ["angebot", "beschwerde"]
    );
    assert_eq!(tags::in_use(&mut conn, 0).unwrap(), Vec::<String>::new());
});
