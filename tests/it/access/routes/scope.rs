//! Conversations and tags by role and scope: inside the scope they answer, outside they
//! look exactly like a conversation that does not exist.

use super::{Who, World, allowed, is_login_redirect, login, world};
use crate::both_backends;
use crate::support::client::Client;
use plauder::access::Permission;
use plauder::clock::Clock as _;
use plauder::db::teams;
use plauder::http::routes::RouteInfo;
use std::collections::HashMap;

/// The built-in role whose seed requires a reason outside its own conversations (the
/// data-protection officer): its plain GET shows the reason form, its POST with a reason
/// the transcript.
fn asks_reason(who: Who) -> bool {
    who == Who::Dpo
}

/// Inside the scope a transcript shows; outside, the answer is byte for byte the one for a
/// conversation that does not exist. GET is the plain page, POST the page with a reason.
pub(super) fn conversations_in_scope(
    w: &World,
    route: &RouteInfo,
    permission: Permission,
    clients: &mut HashMap<&str, (Client, String)>,
) {
    let admin = &mut clients.get_mut("admin").unwrap().0;
    let missing = admin.get("/console/conversations/4242");
    assert_eq!(missing.status, 404);
    for who in Who::ALL {
        let (client, csrf) = clients.get_mut(who.user()).unwrap();
        let csrf = csrf.clone();
        for c in &w.convs {
            let path = format!("/console/conversations/{}", c.id.0);
            let r = if route.method == "POST" {
                client.post(&path, &[("csrf", &csrf), ("reason", "Auskunftsersuchen")])
            } else {
                client.get(&path)
            };
            let context = format!("{} {path} as {who:?} ({c:?}): {}", route.method, r.status);
            if !allowed(who, permission) {
                assert_eq!(r.status, 403, "{context}");
            } else if w.visible(who, c) {
                assert_eq!(r.status, 200, "{context}");
                let asked =
                    route.method == "GET" && asks_reason(who) && c.holder != Some(who.user());
                assert_eq!(r.body.contains("name=\"reason\""), asked, "{context}");
                // The visitor's name is contact data: shown only with the contacts area.
                assert_eq!(
                    r.body.contains("Erika Mustermann"),
                    !asked
                        && who.holds(
                            plauder::access::Area::Contacts,
                            plauder::access::Level::Read
                        ),
                    "{context}"
                );
            } else {
                assert_eq!(r.status, 404, "{context}");
                assert_eq!(r.body, missing.body, "{context}");
                assert_eq!(r.header("content-type"), missing.header("content-type"));
            }
        }
    }
    let _ = route;
}

/// Tagging (helper SEARCH): edit inside the scope changes (303), outside answers like a
/// missing conversation (404), without the permission 403; anonymous goes to the login.
pub(super) fn tags_in_scope(
    w: &World,
    route: &RouteInfo,
    permission: Permission,
    clients: &mut HashMap<&str, (Client, String)>,
) {
    let path_of = |id: i64| route.path.replace("{id}", &id.to_string());
    let anonymous = w
        .server
        .client()
        .post(&path_of(w.convs[0].id.0), &[("tag", "x")]);
    assert!(is_login_redirect(&anonymous), "{} anonymous", route.path);
    for who in Who::ALL {
        let (client, csrf) = clients.get_mut(who.user()).unwrap();
        let csrf = csrf.clone();
        let form = [("csrf", csrf.as_str()), ("tag", "route-probe")];
        let missing = client.post(&path_of(4242), &form);
        for c in &w.convs {
            let r = client.post(&path_of(c.id.0), &form);
            let context = format!("{} {:?} as {who:?}: {}", route.path, c, r.status);
            if !allowed(who, permission) {
                assert_eq!(r.status, 403, "{context}");
            } else if w.visible(who, c) {
                assert_eq!(r.status, 303, "{context}");
            } else {
                assert_eq!(r.status, 404, "{context}");
                assert_eq!(r.body, missing.body, "{context}");
            }
        }
    }
}

both_backends!(history_lists_only_what_the_scope_reaches, |db| {
    let w = world(db);
    let now = w.server.clock.now().naive_utc();
    for c in &w.convs {
        assert!(plauder::db::conversations::close(&mut w.server.conn(), c.id, now).unwrap());
    }
    for who in [
        Who::Admin,
        Who::Supervisor,
        Who::Operator,
        Who::Dpo,
        Who::Own,
    ] {
        let page = login(&w, who).get("/console/history");
        assert_eq!(page.status, 200, "{who:?}");
        for c in &w.convs {
            let link = format!("/console/conversations/{}", c.id.0);
            assert_eq!(
                page.body.contains(&link),
                w.visible(who, c),
                "{who:?} and {c:?} in the history"
            );
        }
    }
});

both_backends!(
    a_widget_moved_to_another_team_takes_its_conversations,
    |db| {
        let w = world(db);
        let b = w.convs[2];
        let mut op = login(&w, Who::Operator);
        let path = format!("/console/conversations/{}", b.id.0);
        assert_eq!(op.get(&path).status, 404, "team B's conversation is hidden");
        let mut admin = login(&w, Who::Admin);
        let edit = format!("/admin/widgets/{}", w.widget_b);
        let form = admin.get(&edit);
        assert!(
            form.body.contains("name=\"team\""),
            "the widget form offers the team"
        );
        let csrf = form.csrf();
        let mut fields = crate::widgets::GOOD.to_vec();
        fields.push(("csrf", &csrf));
        let mut bad = fields.clone();
        bad.push(("team", "4242"));
        let r = admin.post(&edit, &bad);
        assert_eq!(r.status, 400);
        assert!(
            r.body.contains("id=\"team-error\""),
            "the team field is named"
        );
        assert_eq!(op.get(&path).status, 404, "nothing changed");
        let team_a = teams::DEFAULT_TEAM.0.to_string();
        let mut good = fields.clone();
        good.push(("team", &team_a));
        assert_eq!(admin.post(&edit, &good).status, 303);
        assert_eq!(op.get(&path).status, 200, "now it belongs to team A");
        let _ = w.team_b;
    }
);
