//! Guard rails: nobody grants a permission they do not hold or acts on an account holding
//! more; the last active admin cannot be disabled or demoted, not even by two admins
//! demoting each other at once; the command line knows the built-in roles.

use super::{grant, world};
use crate::both_backends;
use crate::support::client::Client;
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::access::{Area, Level, Matrix, Scope};
use plauder::clock::Clock as _;
use plauder::db::roles::{self, Builtin, RoleId};
use plauder::db::staff::{self, Role, StaffId};
use plauder::db::teams::DEFAULT_TEAM;

fn role_of(server: &TestServer, id: StaffId) -> RoleId {
    staff::by_id(&mut server.conn(), id).unwrap().unwrap().role
}

fn csrf(c: &mut Client) -> String {
    c.get("/admin").csrf()
}

/// The matrix form of a role page: every area's level and scope.
fn matrix_fields(m: &Matrix) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for area in Area::ALL {
        let g = m.get(area);
        fields.push((format!("level_{}", area.key()), g.level.key().to_string()));
        if area.scoped() {
            fields.push((format!("scope_{}", area.key()), g.scope.key().to_string()));
        }
    }
    fields
}

fn post(
    c: &mut Client,
    path: &str,
    fields: &[(String, String)],
) -> crate::support::client::Response {
    let token = csrf(c);
    let mut all: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.push(("csrf", &token));
    c.post(path, &all)
}

both_backends!(nobody_grants_more_than_they_hold, |db| {
    let w = world(db);
    let server = &w.server;
    let now = server.clock.now().naive_utc();
    // A staff manager who may read conversations of their team, nothing of the audit log.
    let mut hr_matrix = Matrix::empty();
    hr_matrix.set(Area::Staff, grant(Level::Edit, Scope::All));
    hr_matrix.set(Area::Conversations, grant(Level::Read, Scope::Team));
    let hr_role = roles::create(&mut server.conn(), "Personal", &hr_matrix, now).unwrap();
    let hr = add_staff(server, "hr", Role::Operator, None);
    staff::set_access(&mut server.conn(), hr, hr_role, &[DEFAULT_TEAM], now).unwrap();
    let mut lesser = Matrix::empty();
    lesser.set(Area::Conversations, grant(Level::Read, Scope::Own));
    let reader = roles::create(&mut server.conn(), "Leser", &lesser, now).unwrap();
    let nobody = roles::create(&mut server.conn(), "Ohne", &Matrix::empty(), now).unwrap();
    let victim = add_staff(server, "victim", Role::Operator, None);
    staff::set_access(&mut server.conn(), victim, nobody, &[], now).unwrap();
    let mut c = server.login("hr", GOOD_PASSWORD);

    let to_admin = vec![("role".to_string(), Builtin::Admin.id().0.to_string())];
    let r = post(&mut c, &format!("/admin/staff/{}", victim.0), &to_admin);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body.contains("more than your own"),
        "the role field says why"
    );
    assert_eq!(role_of(server, victim), nobody, "unchanged");

    let to_reader = vec![("role".to_string(), reader.0.to_string())];
    let r = post(&mut c, &format!("/admin/staff/{}", victim.0), &to_reader);
    assert_eq!(
        r.status, 303,
        "a role within the own rights may be given: {}",
        r.body
    );
    assert_eq!(role_of(server, victim), reader);

    // Widening the own role, or changing a role one does not fully hold, is refused.
    let mut wider = hr_matrix;
    wider.set(Area::Audit, grant(Level::Read, Scope::All));
    let mut fields = matrix_fields(&wider);
    fields.push(("name".into(), "Personal".into()));
    let r = post(&mut c, &format!("/admin/roles/{}", hr_role.0), &fields);
    assert_eq!(r.status, 403, "{}", r.body);
    let stored = roles::by_id(&mut server.conn(), hr_role).unwrap().unwrap();
    assert_eq!(stored.matrix, hr_matrix, "unchanged");
    let operator = Builtin::Operator.id();
    let mut weaker = roles::by_id(&mut server.conn(), operator)
        .unwrap()
        .unwrap()
        .matrix;
    weaker.set(Area::Canned, grant(Level::None, Scope::All));
    let r = post(
        &mut c,
        &format!("/admin/roles/{}", operator.0),
        &matrix_fields(&weaker),
    );
    assert_eq!(
        r.status, 403,
        "the Operator role holds conversations edit: {}",
        r.body
    );

    // Nobody disables or changes an account that holds more than they do: an auditor
    // holds the audit log, which the manager does not.
    let auditor = add_staff(server, "pruefer", Role::Auditor, None);
    let r = post(&mut c, &format!("/admin/staff/{}", auditor.0), &to_reader);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(role_of(server, auditor), Builtin::Auditor.id());
    let admin = w.id("admin");
    let r = post(&mut c, &format!("/admin/staff/{}/disable", admin.0), &[]);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        !staff::by_id(&mut server.conn(), admin)
            .unwrap()
            .unwrap()
            .disabled
    );

    // What the manager holds, they may give: a new role with a part of it.
    let r = post(&mut c, "/admin/roles", &[("name".into(), "Neu".into())]);
    assert_eq!(r.status, 303, "{}", r.body);
});

both_backends!(the_last_active_admin_stays, |db| {
    let server = TestServer::start(db);
    let admin = staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id;
    let mut c = server.admin();
    let to_operator = vec![("role".to_string(), Builtin::Operator.id().0.to_string())];
    let r = post(&mut c, &format!("/admin/staff/{}", admin.0), &to_operator);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("last active admin"), "{}", r.body);
    let r = post(&mut c, &format!("/admin/staff/{}/disable", admin.0), &[]);
    assert_eq!(r.status, 400, "{}", r.body);
    let me = staff::by_id(&mut server.conn(), admin).unwrap().unwrap();
    assert_eq!((me.role, me.disabled), (Builtin::Admin.id(), false));
    let out = crate::cli::plauder(&server, &["user", "disable", "admin"]);
    assert!(!out.status.success(), "the command line refuses too");
    assert!(String::from_utf8_lossy(&out.stderr).contains("last active admin"));
    assert!(
        !staff::by_id(&mut server.conn(), admin)
            .unwrap()
            .unwrap()
            .disabled
    );

    // With a second admin, two admins demoting each other at once: one of them stays.
    let second = add_staff(&server, "zweite", Role::Admin, None);
    let mut other = server.login("zweite", GOOD_PASSWORD);
    let (t1, t2) = (csrf(&mut c), csrf(&mut other));
    let op = Builtin::Operator.id().0.to_string();
    let (first_path, second_path) = (
        format!("/admin/staff/{}", second.0),
        format!("/admin/staff/{}", admin.0),
    );
    let barrier = std::sync::Barrier::new(2);
    let statuses = std::thread::scope(|s| {
        let a = s.spawn(|| {
            barrier.wait();
            c.post(&first_path, &[("csrf", &t1), ("role", &op)]).status
        });
        let b = s.spawn(|| {
            barrier.wait();
            other
                .post(&second_path, &[("csrf", &t2), ("role", &op)])
                .status
        });
        let mut both = [a.join().unwrap(), b.join().unwrap()];
        both.sort();
        both
    });
    // The other is refused as the last admin's demotion (400) or, once demoted, for lack of
    // the permission (403).
    assert!(
        statuses == [303, 400] || statuses == [303, 403],
        "exactly one demotion went through: {statuses:?}"
    );
    assert_eq!(staff::active_admins(&mut server.conn()).unwrap(), 1);
});

#[test]
fn the_command_line_knows_the_built_in_roles() {
    let server = TestServer::start(Db::Sqlite);
    for (name, role, builtin) in [
        ("sven", "supervisor", Builtin::Supervisor),
        ("dora", "dpo", Builtin::Dpo),
        ("dana", "data-protection-officer", Builtin::Dpo),
        ("anke", "auditor", Builtin::Auditor),
        ("otto", "operator", Builtin::Operator),
    ] {
        let out = crate::cli::plauder(&server, &["user", "add", name, "--role", role]);
        assert!(
            out.status.success(),
            "{role}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let account = staff::by_username(&mut server.conn(), name)
            .unwrap()
            .unwrap();
        assert_eq!(account.role, builtin.id(), "{role}");
    }
    let out = crate::cli::plauder(&server, &["user", "add", "x1", "--role", "root"]);
    assert!(!out.status.success());
    let list = String::from_utf8(crate::cli::plauder(&server, &["user", "list"]).stdout).unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with("dora") && l.contains("dpo")),
        "{list}"
    );
}
