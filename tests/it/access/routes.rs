//! Every route of the app, taken from the app's own route table (`plauder::app::routes`),
//! × every built-in role (and a custom role limited to its own chats), asserting the status
//! the role's permissions give: 303 to the login page without a session, 403 without the
//! permission, 200 (GET) or an answer to the input (POST) with it, and for conversations 200
//! inside the scope and the very 404 of a missing conversation outside it. A second test
//! checks that nothing is mounted past the table.

use super::{Who, World, login, world};
use crate::both_backends;
use crate::support::client::{Client, Response};
use crate::support::ws::open;
use plauder::access::Permission;
use plauder::clock::Clock as _;
use plauder::db::roles;
use plauder::db::staff::Role;
use plauder::db::teams;
use plauder::http::routes::{RouteInfo, Rule};
use std::collections::HashMap;

/// Whether `who` holds `permission`, by the oracle in `super`.
fn allowed(who: Who, permission: Permission) -> bool {
    match permission.needs() {
        None => true,
        Some((area, level)) => who.holds(area, level),
    }
}

/// Whether `who` may use `route`: its permission, and for the register of data-subject
/// requests (which spans every team) a contacts grant of scope "all".
fn allowed_on(who: Who, route: &RouteInfo, permission: Permission) -> bool {
    let register = route.path.starts_with("/console/requests");
    allowed(who, permission) && (!register || who.scope() == plauder::access::Scope::All)
}

/// A concrete path for a pattern: fresh objects for routes that may change or delete them,
/// so one role's request never spoils the next one's.
fn sample(w: &World, route: &RouteInfo) -> String {
    let p = route.path;
    let now = w.server.clock.now().naive_utc();
    let mut conn = w.server.conn();
    let fresh = |n: &str| format!("{n}-{:x}", plauder::db::new_id(chrono::Utc::now()).unwrap());
    let id = if !p.contains('{') {
        return p.to_string();
    } else if p.contains("{public_id}") {
        return p.replace("{public_id}", &w.widget_a);
    } else if p.starts_with("/admin/router/") {
        let target = plauder::db::widgets::by_public_id(&mut conn, &w.widget_a)
            .unwrap()
            .unwrap()
            .id;
        let spec = plauder::widget::route_rules::RuleSpec {
            url_kind: plauder::widget::route_rules::UrlKind::Prefix,
            url_pattern: "https://www.example.de/hilfe".into(),
            ua_contains: String::new(),
            device: None,
            langs: vec![],
            countries: vec![],
            target,
        };
        plauder::db::route_rules::insert(&mut conn, &spec, now)
            .unwrap()
            .0
    } else if p.starts_with("/admin/canned/") {
        let shortcut = fresh("gruss");
        plauder::db::canned::insert(&mut conn, &shortcut, "Guten Tag!", now)
            .unwrap()
            .0
    } else if p.starts_with("/admin/staff/") {
        drop(conn);
        crate::support::add_staff(&w.server, &fresh("opfer"), Role::Operator, None).0
    } else if p.starts_with("/admin/roles/") {
        let m = plauder::access::Matrix::empty();
        roles::create(&mut conn, &fresh("Ersatz"), &m, now)
            .unwrap()
            .0
    } else if p.starts_with("/admin/teams/") {
        teams::create(&mut conn, &fresh("Team"), now).unwrap().0
    } else if p.starts_with("/console/requests/") {
        let new = plauder::db::dsr::NewRequest {
            kind: plauder::dsr::Kind::Access,
            channel: plauder::dsr::Channel::Email,
            received: now,
            handler: None,
            subject: "Erika Mustermann",
            contact: None,
            notes: None,
        };
        plauder::db::dsr::create(&mut conn, &w.server.state.ring, &new, now)
            .unwrap()
            .0
    } else if p.starts_with("/console/contacts/") {
        // A fresh contact with a conversation in team A (so team scopes reach it).
        let ring = &w.server.state.ring;
        let widget = plauder::db::widgets::by_public_id(&mut conn, &w.widget_a)
            .unwrap()
            .unwrap()
            .id;
        let token = plauder::crypto::random_bytes::<32>().unwrap();
        let new = plauder::db::conversations::NewConversation {
            widget,
            token_hash: &token,
            offline: false,
            name: None,
            email: None,
        };
        let c = plauder::db::conversations::create(&mut conn, ring, &new, now).unwrap();
        let email = format!("{}@example.de", fresh("kontakt"));
        plauder::db::conversations::identify(&mut conn, ring, c, Some("Erika"), Some(&email), now)
            .unwrap();
        plauder::db::conversations::by_id(&mut conn, c)
            .unwrap()
            .unwrap()
            .contact
            .unwrap()
            .0
    } else if p.starts_with("/console/approvals/") {
        // Four-eyes (helper FOUREYES): a decision without a `decision` field is 400 for
        // everyone signed in, before any request is looked up; tests/it/approvals covers
        // who may decide and run what.
        4242
    } else if route.rule == Rule::Public {
        0
    } else {
        panic!(
            "route {} {p}: add a sample object to access::routes",
            route.method
        );
    };
    let start = p.find('{').unwrap();
    let end = p[start..].find('}').unwrap() + start;
    format!("{}{id}{}", &p[..start], &p[end + 1..])
}

fn request(client: &mut Client, route: &RouteInfo, path: &str, csrf: &str) -> Response {
    match route.method.as_str() {
        "GET" => client.get(path),
        "POST" => client.post(path, &[("csrf", csrf)]),
        other => panic!("no request for method {other}"),
    }
}

fn is_login_redirect(r: &Response) -> bool {
    r.status == 303 && r.location() == "/login"
}

/// The console socket answers an upgrade, not a plain GET: it is opened as the console does.
fn socket_status(w: &World, client: &Client) -> u16 {
    let cookie = client
        .cookies
        .get("__Host-plauder")
        .map(|c| format!("__Host-plauder={c}"));
    match open(
        &w.server,
        "/console/ws",
        Some("https://localhost"),
        cookie.as_deref(),
    ) {
        Ok(_) => 101,
        Err(status) => status,
    }
}

both_backends!(every_route_by_every_role_and_scope, |db| {
    let w = world(db);
    let routes = plauder::app::routes();
    assert!(routes.len() > 40, "the table holds the app's routes");
    let mut clients: HashMap<&str, (Client, String)> = HashMap::new();
    for who in Who::ALL {
        let mut c = login(&w, who);
        let csrf = c.get("/admin").csrf();
        clients.insert(who.user(), (c, csrf));
    }
    let mut checked = 0;
    for route in &routes {
        let label = format!("{} {}", route.method, route.path);
        let Rule::Staff(permission) = route.rule else {
            // Public: reachable without a session (which may still refuse bad input).
            let path = sample(&w, route);
            let r = request(&mut w.server.client(), route, &path, "");
            assert!(
                !is_login_redirect(&r) && r.status < 500 || route.path == "/",
                "{label}: public route answered {} {}; if it is a staff page, declare its permission",
                r.status,
                r.location()
            );
            continue;
        };
        if route.path == "/console/ws" {
            assert_eq!(
                socket_status(&w, &w.server.client()),
                303,
                "{label} anonymous"
            );
            for who in Who::ALL {
                let expected = if allowed(who, permission) { 101 } else { 403 };
                let status = socket_status(&w, &clients[who.user()].0);
                assert_eq!(status, expected, "{label} as {who:?}");
                checked += 1;
            }
            continue;
        }
        if crate::export::ROUTES.contains(&route.path) {
            crate::export::routes_by_role(&w, route, permission, &mut clients);
            checked += Who::ALL.len();
            continue;
        }
        if crate::mail::ROUTES.contains(&route.path) {
            crate::mail::mail_by_role(&w, route, permission, &mut clients);
            checked += Who::ALL.len();
            continue;
        }
        if route.path.starts_with("/console/conversations/{id}/tags") {
            tags_in_scope(&w, route, permission, &mut clients);
            checked += Who::ALL.len();
            continue;
        }
        // The bulk erasure is one fixed path; the general rows below check it.
        if route.path.starts_with("/console/conversations/")
            && route.path != "/console/conversations/delete"
        {
            conversations_in_scope(&w, route, permission, &mut clients);
            checked += Who::ALL.len();
            continue;
        }
        let anonymous = request(&mut w.server.client(), route, &sample(&w, route), "");
        assert!(
            is_login_redirect(&anonymous),
            "{label} anonymous: {}",
            anonymous.status
        );
        for who in Who::ALL {
            let path = sample(&w, route);
            // Signing out ends the session: that request gets a session of its own.
            let mut own_session;
            let (client, csrf) = if route.path == "/logout" {
                own_session = login(&w, who);
                let csrf = own_session.get("/admin").csrf();
                (&mut own_session, csrf)
            } else {
                let (c, csrf) = clients.get_mut(who.user()).unwrap();
                (c, csrf.clone())
            };
            let r = request(client, route, &path, &csrf);
            let context = format!("{label} ({path}) as {who:?}: {} {}", r.status, r.body);
            if !allowed_on(who, route, permission) {
                assert_eq!(r.status, 403, "{context}");
                assert!(r.body.starts_with("Forbidden"), "{context}");
            } else if route.method == "GET" {
                assert_eq!(r.status, 200, "{context}");
            } else {
                assert!([200, 303, 400].contains(&r.status), "{context}");
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked} route × role checks");
});

/// The built-in role whose seed requires a reason outside its own conversations (the
/// data-protection officer): its plain GET shows the reason form, its POST with a reason
/// the transcript.
fn asks_reason(who: Who) -> bool {
    who == Who::Dpo
}

/// Inside the scope a transcript shows; outside, the answer is byte for byte the one for a
/// conversation that does not exist. GET is the plain page, POST the page with a reason.
fn conversations_in_scope(
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
fn tags_in_scope(
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

/// Nothing is mounted outside the registry: the app's own resource map holds exactly the
/// table's patterns, and no resource made by a route macro (those carry a name).
#[test]
fn nothing_is_mounted_past_the_route_table() {
    use actix_web::{HttpRequest, test, web};
    let server = crate::support::TestServer::start(crate::support::Db::Sqlite);
    let state = web::Data::new(server.state.clone());
    let map = actix_web::rt::System::new().block_on(async move {
        let app = plauder::app::build(state).route(
            "/__resource_map",
            web::get().to(|req: HttpRequest| async move { format!("{:?}", req.resource_map()) }),
        );
        let svc = test::init_service(app).await;
        let req = test::TestRequest::get().uri("/__resource_map").to_request();
        String::from_utf8(test::call_and_read_body(&svc, req).await.to_vec()).unwrap()
    });
    assert!(
        !map.contains("name: Some("),
        "a route was mounted by a macro: {map}"
    );
    let marker = "patterns: Single(\"";
    let mut mounted: Vec<String> = map
        .match_indices(marker)
        .map(|(i, _)| {
            let rest = &map[i + marker.len()..];
            rest[..rest.find("\")").unwrap()].replace("\\\\", "\\")
        })
        .filter(|p| !p.is_empty() && p != "/__resource_map")
        .collect();
    mounted.sort();
    mounted.dedup();
    let mut table: Vec<String> = plauder::app::routes()
        .iter()
        .map(|r| r.path.to_string())
        .collect();
    table.sort();
    table.dedup();
    assert!(
        mounted.contains(&"/admin/staff".to_string()),
        "the probe reads the map"
    );
    assert_eq!(mounted, table);
}

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
