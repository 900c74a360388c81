//! The export routes in the route × role table (tests/it/access/routes.rs): 303 without a
//! session, 403 without exports, and for conversations the scope: 200 inside, the very 404
//! of a missing conversation outside.

use super::{chat, fetch};
use crate::access::{Who, World};
use crate::support::client::Client;
use plauder::access::{Area, Level, Permission};
use plauder::db::messages::Sender;
use plauder::http::routes::RouteInfo;
use std::collections::HashMap;

pub const ROUTES: [&str; 2] = [
    "/console/conversations/export",
    "/console/contacts/{id}/export.json",
];

pub fn routes_by_role(
    w: &World,
    route: &RouteInfo,
    permission: Permission,
    clients: &mut HashMap<&str, (Client, String)>,
) {
    assert_eq!(
        permission,
        Permission::Read(Area::Exports),
        "{}",
        route.path
    );
    let s = &w.server;
    let paths: Vec<(String, bool)> = if route.path == ROUTES[0] {
        w.convs
            .iter()
            .map(|c| {
                (
                    format!("/console/conversations/export?format=csv&id={}", c.id.0),
                    c.team_a,
                )
            })
            .collect()
    } else {
        let widget = plauder::db::widgets::by_public_id(&mut s.conn(), &w.widget_a)
            .unwrap()
            .unwrap()
            .id;
        let id = chat(
            s,
            widget,
            None,
            Some("routen@example.de"),
            None,
            &[(Sender::Visitor, "Hallo")],
        );
        let contact = plauder::db::conversations::by_id(&mut s.conn(), id)
            .unwrap()
            .unwrap()
            .contact
            .unwrap();
        vec![(format!("/console/contacts/{}/export.json", contact.0), true)]
    };
    let anonymous = fetch(s, &s.client(), &paths[0].0);
    assert_eq!(anonymous.status, 303, "{} anonymous", route.path);
    let missing = fetch(
        s,
        &clients["admin"].0,
        "/console/conversations/export?format=csv&id=4242",
    );
    assert_eq!(missing.status, 404);
    for who in Who::ALL {
        let client = &clients[who.user()].0;
        for (i, (path, _)) in paths.iter().enumerate() {
            let r = fetch(s, client, path);
            let context = format!(
                "{path} as {who:?}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
            if !who.holds(Area::Exports, Level::Read) {
                assert_eq!(r.status, 403, "{context}");
            } else if route.path != ROUTES[0] || w.visible(who, &w.convs[i]) {
                assert_eq!(r.status, 200, "{context}");
            } else {
                assert_eq!(r.status, 404, "{context}");
                assert_eq!(r.body, missing.body, "{context}");
            }
        }
    }
}
