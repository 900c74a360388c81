//! A concrete request path for each route pattern, with the object it names made fresh.

use super::World;
use plauder::clock::Clock as _;
use plauder::db::roles;
use plauder::db::staff::Role;
use plauder::db::teams;
use plauder::http::routes::{RouteInfo, Rule};

/// A concrete path for a pattern: fresh objects for routes that may change or delete them,
/// so one role's request never spoils the next one's.
pub(super) fn sample(w: &World, route: &RouteInfo) -> String {
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
