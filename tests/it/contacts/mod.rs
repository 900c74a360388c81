//! A contact's page, rectification, merge, erasure and the bulk erasure of conversations,
//! on both backends: what the pages show, who may reach them (outside the scope = the 404
//! of a missing contact), what the audit log and the erasure journal record (ids and field
//! names, never values), and that erased values leave the database files.

mod bulk;
mod edit;
mod erase;
mod merge;
mod reason;
mod shots;
mod show;

use crate::self_service::{chatting, identify};
use crate::support::ws::Ws;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use diesel::prelude::*;
use plauder::access::{Area, Grant, Level, Matrix, Scope};
use plauder::clock::Clock as _;
use plauder::db::roles::{self, Builtin};
use plauder::db::schema::{audit_log, conversations};
use plauder::db::staff;
use plauder::db::teams::{self, DEFAULT_TEAM};

pub struct Fixture {
    pub server: TestServer,
    /// Public ids of a widget of the default team (A) and of team B.
    pub widget_a: String,
    pub widget_b: String,
}

pub fn fixture(db: crate::support::Db) -> Fixture {
    let server = TestServer::start(db);
    let now = server.clock.now().naive_utc();
    let team_b = teams::create(&mut server.conn(), "Team B", now).unwrap();
    let (_, widget_a) = crate::access::widget_in(&server, "Shop A", DEFAULT_TEAM);
    let (_, widget_b) = crate::access::widget_in(&server, "Shop B", team_b);
    Fixture {
        server,
        widget_a,
        widget_b,
    }
}

/// A visitor who chatted on `widget` and typed a name and address: the socket, the
/// conversation id and the contact id.
pub fn person(
    server: &TestServer,
    widget: &str,
    name: &str,
    email: &str,
    texts: &[&str],
) -> (Ws, i64, i64) {
    let (mut ws, _, conversation) = chatting(server, widget, texts);
    identify(&mut ws, name, email);
    let contact = contact_of(server, conversation);
    (ws, conversation, contact)
}

pub fn contact_of(server: &TestServer, conversation: i64) -> i64 {
    conversations::table
        .find(conversation)
        .select(conversations::contact_id)
        .first::<Option<i64>>(&mut *server.conn())
        .unwrap()
        .expect("the conversation names its contact")
}

/// A signed-in account of a built-in role in the default team.
pub fn staff_of(server: &TestServer, name: &str, role: Builtin) -> crate::support::client::Client {
    let id = add_staff(server, name, role, None);
    let now = server.clock.now().naive_utc();
    assert!(staff::set_access(&mut server.conn(), id, role.id(), &[DEFAULT_TEAM], now).unwrap());
    server.login(name, GOOD_PASSWORD)
}

/// A custom role: conversations and contacts read within the own team, deletions edit; one
/// account of it in the default team.
pub fn team_eraser(server: &TestServer, name: &str) -> crate::support::client::Client {
    let mut m = Matrix::empty();
    let team = |level| Grant {
        level,
        scope: Scope::Team,
    };
    m.set(Area::Conversations, team(Level::Read));
    m.set(Area::Contacts, team(Level::Edit));
    m.set(Area::Deletions, team(Level::Edit));
    let now = server.clock.now().naive_utc();
    let role = roles::create(&mut server.conn(), "Team-Löschung", &m, now).unwrap();
    let id = add_staff(server, name, Builtin::Operator, None);
    assert!(staff::set_access(&mut server.conn(), id, role, &[DEFAULT_TEAM], now).unwrap());
    server.login(name, GOOD_PASSWORD)
}

/// Audit rows of an action about one object: (outcome, detail, reason).
pub fn audit_of(
    server: &TestServer,
    action: &str,
    kind: &str,
    id: i64,
) -> Vec<(String, Option<String>, Option<String>)> {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .filter(audit_log::object_type.eq(kind))
        .filter(audit_log::object_id.eq(id))
        .order(audit_log::seq.asc())
        .select((audit_log::outcome, audit_log::detail, audit_log::reason))
        .load(&mut *server.conn())
        .unwrap()
}
