//! The transcript-mail route in the route × role table (tests/it/access/routes.rs): 303
//! without a session, 403 without conversations:read, 403 without CSRF, and the scope: in
//! the table's world mail is off, so a visible conversation answers 409 ("not configured")
//! and one outside the scope the very 404 of a missing conversation. The test-mail button
//! answers 409 there too (403 without settings:edit); the admin page's GET is a general row.

use crate::access::{Who, World};
use crate::support::client::Client;
use plauder::access::{Area, Level, Permission};
use plauder::http::routes::RouteInfo;
use std::collections::HashMap;

pub const ROUTES: [&str; 2] = ["/console/conversations/{id}/mail", "/admin/mail/test"];

pub fn mail_by_role(
    w: &World,
    route: &RouteInfo,
    permission: Permission,
    clients: &mut HashMap<&str, (Client, String)>,
) {
    if route.path == ROUTES[1] {
        return test_by_role(w, permission, clients);
    }
    assert_eq!(permission, Permission::Read(Area::Conversations));
    let path_of = |id: i64| route.path.replace("{id}", &id.to_string());
    let anonymous = w.server.client().post(&path_of(w.convs[0].id.0), &[]);
    assert_eq!(anonymous.status, 303, "{} anonymous", route.path);
    assert_eq!(anonymous.location(), "/login");
    for who in Who::ALL {
        let (client, csrf) = clients.get_mut(who.user()).unwrap();
        let form = [("csrf", csrf.clone())];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let missing = client.post(&path_of(4242), &form);
        for c in &w.convs {
            let path = path_of(c.id.0);
            let r = client.post(&path, &form);
            let context = format!("POST {path} as {who:?} ({c:?}): {} {}", r.status, r.body);
            if !who.holds(Area::Conversations, Level::Read) {
                assert_eq!(r.status, 403, "{context}");
                continue;
            }
            assert_eq!(client.post(&path, &[]).status, 403, "no CSRF: {context}");
            if w.visible(who, c) {
                assert_eq!(r.status, 409, "{context}");
                assert!(r.body.contains("id=\"mail-result\""), "{context}");
            } else {
                assert_eq!(missing.status, 404, "{context}");
                assert_eq!(r.status, 404, "{context}");
                assert_eq!(r.body, missing.body, "{context}");
            }
        }
    }
}

fn test_by_role(w: &World, permission: Permission, clients: &mut HashMap<&str, (Client, String)>) {
    assert_eq!(permission, Permission::Edit(Area::Settings));
    let anonymous = w
        .server
        .client()
        .post(ROUTES[1], &[("to", "it@example.de")]);
    assert_eq!(anonymous.location(), "/login");
    for who in Who::ALL {
        let (client, csrf) = clients.get_mut(who.user()).unwrap();
        let r = client.post(
            ROUTES[1],
            &[("csrf", csrf.as_str()), ("to", "it@example.de")],
        );
        let context = format!("POST {} as {who:?}: {} {}", ROUTES[1], r.status, r.body);
        if who.holds(Area::Settings, Level::Edit) {
            assert_eq!(r.status, 409, "mail is off: {context}");
            assert!(r.body.contains("id=\"mail-off\""), "{context}");
        } else {
            assert_eq!(r.status, 403, "{context}");
        }
    }
}
