//! Changes of staff accounts, roles and teams made in the admin UI: each leaves exactly one
//! entry (actor = the admin, the right action and object, ids only, never a name), and a
//! change whose entry cannot be written does not happen.

use super::hooks::{Seen, assert_no_marker, block_audit, of, unblock_audit};
use super::rows;
use crate::both_backends;
use crate::support::client::Client;
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::clock::Clock as _;
use plauder::db::roles::{self, Builtin, RoleId};
use plauder::db::staff::{self, Role, StaffId};
use plauder::db::teams::{self, DEFAULT_TEAM};

fn admin_id(server: &TestServer) -> i64 {
    staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id
        .0
}

/// The one entry an admin's change leaves.
fn by_admin(server: &TestServer, kind: &str, id: i64) -> Seen {
    (
        "staff".into(),
        Some(admin_id(server)),
        kind.into(),
        Some(id),
        "ok".into(),
    )
}

/// A POST with the CSRF token of the page at `form`.
fn send(c: &mut Client, form: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let csrf = c.get(form).csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let r = c.post(path, &all);
    (r.status, r.location().to_string())
}

/// A matrix form granting nothing but reading conversations of the own team.
const MATRIX: [(&str, &str); 12] = [
    ("level_conversations", "read"),
    ("scope_conversations", "team"),
    ("level_contacts", "none"),
    ("scope_contacts", "own"),
    ("level_exports", "none"),
    ("level_deletions", "none"),
    ("level_widgets", "none"),
    ("level_canned", "none"),
    ("level_staff", "none"),
    ("level_audit", "none"),
    ("level_statistics", "none"),
    ("level_settings", "none"),
];

/// A POST as (path, CSRF token, further fields).
type Attempt<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

fn team_named(server: &TestServer, name: &str) -> Option<i64> {
    teams::list(&mut server.conn())
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.id.0)
}

both_backends!(
    every_admin_change_leaves_one_entry_without_names,
    |db: Db| {
        let server = TestServer::start(db);
        let mut c = server.admin();
        let ulf = add_staff(&server, "ulf", Role::Operator, None).0;

        // Roles: create, change (name and matrix), the reason flag, delete.
        let (status, at) = send(
            &mut c,
            "/admin/roles",
            "/admin/roles",
            &[("name", "Zeta-Geheimrolle")],
        );
        assert_eq!(status, 303);
        let role: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
        assert_eq!(
            of(&server, "role_created"),
            [by_admin(&server, "role", role)]
        );
        let page = format!("/admin/roles/{role}");
        let mut fields = MATRIX.to_vec();
        fields.push(("name", "Zeta-Umbenannt"));
        assert_eq!(send(&mut c, &page, &page, &fields).0, 303);
        assert_eq!(
            of(&server, "role_changed"),
            [by_admin(&server, "role", role)]
        );
        let reason = format!("{page}/reason");
        assert_eq!(send(&mut c, &page, &reason, &[("required", "on")]).0, 303);
        assert!(roles::reason_required(&mut server.conn(), RoleId(role)).unwrap());
        assert_eq!(of(&server, "role_changed").len(), 2);
        let shown = c.get(&page);
        assert!(
            shown
                .body
                .contains("id=\"reason-required\" aria-describedby=\"reason-hint\" checked"),
            "the role page shows the flag: {}",
            shown.body
        );
        // The second factor required per role: one entry for the role whose flag changed.
        let operator = Builtin::Operator.id().0.to_string();
        let two = "/admin/second-factor";
        assert_eq!(send(&mut c, two, two, &[("required", &operator)]).0, 303);
        assert_eq!(
            of(&server, "role_changed")[2],
            by_admin(&server, "role", Builtin::Operator.id().0)
        );
        assert_eq!(of(&server, "role_changed").len(), 3);

        // Teams: create, rename.
        let (status, _) = send(
            &mut c,
            "/admin/teams",
            "/admin/teams",
            &[("name", "Zeta-Teammarker")],
        );
        assert_eq!(status, 303);
        let team = team_named(&server, "Zeta-Teammarker").unwrap();
        assert_eq!(
            of(&server, "team_created"),
            [by_admin(&server, "team", team)]
        );
        let rename = format!("/admin/teams/{team}");
        let (status, _) = send(&mut c, "/admin/teams", &rename, &[("name", "Zeta-Teamneu")]);
        assert_eq!(status, 303);
        assert_eq!(
            of(&server, "team_changed"),
            [by_admin(&server, "team", team)]
        );

        // An account: role and teams (membership), disable, enable, second factor, appearance.
        let account = format!("/admin/staff/{ulf}");
        let role_text = role.to_string();
        let team_field = format!("team_{team}");
        let (status, _) = send(
            &mut c,
            &account,
            &account,
            &[("role", &role_text), (&team_field, "on")],
        );
        assert_eq!(status, 303);
        assert_eq!(
            of(&server, "staff_changed"),
            [by_admin(&server, "staff", ulf)]
        );
        let stored = staff::by_id(&mut server.conn(), StaffId(ulf))
            .unwrap()
            .unwrap();
        assert_eq!(stored.role, RoleId(role));
        for (path, action) in [
            ("disable", "staff_disabled"),
            ("enable", "staff_enabled"),
            ("second-factor/reset", "second_factor_reset"),
        ] {
            let (status, _) = send(&mut c, &account, &format!("{account}/{path}"), &[]);
            assert_eq!(status, 303, "{path}");
            assert_eq!(
                of(&server, action),
                [by_admin(&server, "staff", ulf)],
                "{action}"
            );
        }
        let csrf = c.get(&format!("{account}/account")).csrf();
        let appearance = [
            ("full_name", "Ulf Zetamann"),
            ("shown_as", "alias"),
            ("alias", "Zeta-Alias"),
            ("avatar", "none"),
        ];
        let r = crate::account::appearance::save_appearance(
            &server,
            &c,
            &format!("{account}/appearance"),
            &csrf,
            &appearance,
            None,
        );
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            of(&server, "appearance_changed"),
            [by_admin(&server, "staff", ulf)]
        );

        // Deletions: the team (ulf leaves it first), the role (ulf gets another first).
        let operator_role = Builtin::Operator.id().0.to_string();
        let back = [("role", operator_role.as_str()), ("team_1", "on")];
        assert_eq!(send(&mut c, &account, &account, &back).0, 303);
        assert_eq!(of(&server, "staff_changed").len(), 2);
        let delete = format!("/admin/teams/{team}/delete");
        assert_eq!(send(&mut c, "/admin/teams", &delete, &[]).0, 303);
        assert_eq!(
            of(&server, "team_deleted"),
            [by_admin(&server, "team", team)]
        );
        assert_eq!(send(&mut c, &page, &format!("{page}/delete"), &[]).0, 303);
        assert_eq!(
            of(&server, "role_deleted"),
            [by_admin(&server, "role", role)]
        );
        {
            use diesel::prelude::*;
            use plauder::db::schema::role_reason_required as reason_rows;
            let mut conn = server.conn();
            let left: i64 = reason_rows::table
                .filter(reason_rows::role_id.eq(role))
                .count()
                .get_result(&mut *conn)
                .unwrap();
            assert_eq!(left, 0, "the deleted role's reason flag went with it");
            let second = plauder::db::second_factor::role_flags(&mut conn).unwrap();
            assert!(
                !second.iter().any(|(key, _)| *key == role.to_string()),
                "and its second-factor flag: {second:?}"
            );
        }

        // A refused change leaves nothing: the default team stays, and no entry claims it went.
        let keep = format!("/admin/teams/{}/delete", DEFAULT_TEAM.0);
        assert_eq!(send(&mut c, "/admin/teams", &keep, &[]).0, 400);
        assert_eq!(of(&server, "team_deleted").len(), 1);

        crate::audit::intact(&server);
        assert_no_marker(
            &server,
            &[
                "Zeta-Geheimrolle",
                "Zeta-Umbenannt",
                "Zeta-Teammarker",
                "Zeta-Teamneu",
                "Zetamann",
                "Zeta-Alias",
            ],
        );
    }
);

both_backends!(
    an_admin_change_without_its_entry_does_not_happen,
    |db: Db| {
        let server = TestServer::start(db);
        let mut c = server.admin();
        let ulf = add_staff(&server, "ulf", Role::Operator, None);
        let mut ulf_client = server.login("ulf", GOOD_PASSWORD);
        let team = teams::create(&mut server.conn(), "Team Zwei", server.clock.naive())
            .unwrap()
            .0;
        let account = format!("/admin/staff/{}", ulf.0);
        let supervisor = Builtin::Supervisor.id().0.to_string();
        let team_page = format!("/admin/teams/{team}");
        let dpo = format!("/admin/roles/{}", Builtin::Dpo.id().0);
        // Tokens first: reading the forms is not what is refused.
        let tokens: Vec<String> = ["/admin/roles", &account, "/admin/teams", &dpo]
            .iter()
            .map(|p| c.get(p).csrf())
            .collect();
        let before = rows(&server).len();
        let hash = |s: &TestServer| {
            staff::by_id(&mut s.conn(), ulf)
                .unwrap()
                .unwrap()
                .password_hash
        };
        let old_hash = hash(&server);
        block_audit(&server, db);
        let attempts: [Attempt; 8] = [
            ("/admin/roles", &tokens[0], vec![("name", "Ohne Eintrag")]),
            (&account, &tokens[1], vec![("role", &supervisor)]),
            (&format!("{account}/disable"), &tokens[1], vec![]),
            ("/admin/teams", &tokens[2], vec![("name", "Ohne Eintrag")]),
            (&team_page, &tokens[2], vec![("name", "Umbenannt")]),
            (&format!("{team_page}/delete"), &tokens[2], vec![]),
            (&format!("{dpo}/reason"), &tokens[3], vec![]),
            (
                &format!("{account}/password"),
                &tokens[1],
                vec![("mode", "generate")],
            ),
        ];
        for (path, csrf, fields) in &attempts {
            let mut all = vec![("csrf", *csrf)];
            all.extend_from_slice(fields);
            let r = c.post(path, &all);
            assert!(r.status >= 500, "{path}: {} {}", r.status, r.body);
            assert!(
                !r.body.contains("id=\"generated\""),
                "{path}: no password shown"
            );
        }
        unblock_audit(&server, db);
        assert_eq!(rows(&server).len(), before, "no entry was written");
        let mut conn = server.conn();
        assert!(!roles::name_taken(&mut conn, "Ohne Eintrag", None).unwrap());
        let stored = staff::by_id(&mut conn, ulf).unwrap().unwrap();
        assert_eq!(stored.role, Builtin::Operator.id(), "role unchanged");
        assert!(!stored.disabled, "still enabled");
        drop(conn);
        assert_eq!(
            team_named(&server, "Team Zwei"),
            Some(team),
            "not renamed, not deleted"
        );
        assert_eq!(team_named(&server, "Ohne Eintrag"), None);
        assert!(roles::reason_required(&mut server.conn(), Builtin::Dpo.id()).unwrap());
        assert_eq!(hash(&server), old_hash, "password unchanged");
        assert_eq!(
            ulf_client.get("/admin").status,
            200,
            "ulf's session lives on"
        );
        crate::audit::intact(&server);
    }
);
