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
use plauder::http::routes::{RouteInfo, Rule};
use std::collections::HashMap;

mod sample;
mod scope;

use sample::sample;
use scope::{conversations_in_scope, tags_in_scope};

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
