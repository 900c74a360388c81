//! An admin resets another staff member's password: typed (the password policy applies) or
//! generated and shown once; every session of the target ends; refused without
//! `staff: edit`, for an account holding more than the admin, and for the own account.

use crate::both_backends;
use crate::support::client::Client;
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::access::{Area, Grant, Level, Matrix, Scope};
use plauder::clock::Clock as _;
use plauder::db::roles;
use plauder::db::staff::{self, Role, StaffId};
use plauder::db::teams::DEFAULT_TEAM;

/// Whether a client's session is gone: a staff page sends it to the login page.
fn signed_out(c: &mut Client) -> bool {
    let r = c.get("/admin");
    r.status == 303 && r.location() == "/login"
}

fn hash_of(server: &TestServer, id: StaffId) -> String {
    staff::by_id(&mut server.conn(), id)
        .unwrap()
        .unwrap()
        .password_hash
}

fn resets(server: &TestServer) -> Vec<(Option<i64>, Option<i64>)> {
    crate::audit::rows(server)
        .into_iter()
        .filter(|r| r.action == "password_reset")
        .map(|r| (r.actor_id, r.object_id))
        .collect()
}

/// Signs in with the password step; whether a session started.
fn signs_in(server: &TestServer, user: &str, password: &str) -> bool {
    crate::account::password_step(server, user, password)
        .1
        .status
        == 303
}

both_backends!(an_admin_reset_ends_every_session_of_the_target, |db: Db| {
    let server = TestServer::start(db);
    let olga = add_staff(&server, "olga", Role::Operator, None);
    let mut phone = server.login("olga", GOOD_PASSWORD);
    let mut desk = server.login("olga", GOOD_PASSWORD);
    let mut admin = server.admin();
    let path = format!("/admin/staff/{}/password", olga.0);
    let form = admin.get(&path);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"new\""));
    let csrf = form.csrf();
    let old = hash_of(&server, olga);

    // The policy of every password: length, common passwords, the user name; and a repeat.
    let (de, en) = (
        plauder::i18n::Tr::new(plauder::i18n::Lang::De),
        plauder::i18n::Tr::new(plauder::i18n::Lang::En),
    );
    for (new, repeat, key) in [
        ("Kurz-1", "Kurz-1", "password.too_short"),
        ("123QWEasdzxc", "123QWEasdzxc", "password.common"),
        (
            "olga-Tee-Morgen-99",
            "olga-Tee-Morgen-99",
            "password.contains_name",
        ),
        (
            "Neues-Passwort-Zeta-42",
            "Neues-Passwort-Zeta-43",
            "account.password.mismatch",
        ),
    ] {
        let r = admin.post(
            &path,
            &[
                ("csrf", &csrf),
                ("mode", "typed"),
                ("new", new),
                ("repeat", repeat),
            ],
        );
        assert_eq!(r.status, 400, "{new}");
        assert!(r.body.contains("id=\"password-error\""), "{new}");
        let named = r.body.contains(de.get(key)) || r.body.contains(en.get(key));
        assert!(named, "{new}: {}", r.body);
    }
    assert_eq!(hash_of(&server, olga), old, "nothing changed");
    assert!(!signed_out(&mut phone));
    let r = admin.post(&path, &[("mode", "typed")]);
    assert_eq!(r.status, 403, "CSRF");

    // Typed: set, every session of olga ended (unlike her own change), one entry.
    let r = admin.post(
        &path,
        &[
            ("csrf", &csrf),
            ("mode", "typed"),
            ("new", "Neues-Passwort-Zeta-42"),
            ("repeat", "Neues-Passwort-Zeta-42"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(signed_out(&mut phone) && signed_out(&mut desk));
    assert!(!signs_in(&server, "olga", GOOD_PASSWORD));
    assert!(signs_in(&server, "olga", "Neues-Passwort-Zeta-42"));
    assert!(!signed_out(&mut admin), "the admin stays signed in");
    let admin_id = staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(resets(&server), [(Some(admin_id.0), Some(olga.0))]);

    // Generated: shown once on the answer, works, ends the sessions again.
    let mut again = server.login("olga", "Neues-Passwort-Zeta-42");
    let r = admin.post(&path, &[("csrf", &csrf), ("mode", "generate")]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let marker = "id=\"generated\" aria-describedby=\"generated-hint\">";
    let start = r.body.find(marker).expect("the password is shown") + marker.len();
    let generated = &r.body[start..start + r.body[start..].find('<').unwrap()];
    assert_eq!(generated.len(), 20, "{generated}");
    assert!(signed_out(&mut again));
    assert!(signs_in(&server, "olga", generated));
    assert_eq!(resets(&server).len(), 2);
    assert!(
        !admin.get(&path).body.contains(generated),
        "shown once only"
    );
    crate::audit::intact(&server);
});

both_backends!(a_reset_is_refused_above_the_own_permissions, |db: Db| {
    let server = TestServer::start(db);
    let now = server.clock.naive();
    let olga = add_staff(&server, "olga", Role::Operator, None);
    add_staff(&server, "sven", Role::Supervisor, None);
    // A custom role: what an operator holds, and staff "edit".
    let mut m = Matrix::empty();
    let grant = |level, scope| Grant { level, scope };
    m.set(Area::Conversations, grant(Level::Edit, Scope::Team));
    m.set(Area::Contacts, grant(Level::Read, Scope::Team));
    m.set(Area::Canned, grant(Level::Read, Scope::All));
    m.set(Area::Staff, grant(Level::Edit, Scope::All));
    let personnel = roles::create(&mut server.conn(), "Personal", &m, now).unwrap();
    let pia = add_staff(&server, "pia", Role::Operator, None);
    assert!(staff::set_access(&mut server.conn(), pia, personnel, &[DEFAULT_TEAM], now).unwrap());
    let admin = staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id;
    let good = [
        ("mode", "typed"),
        ("new", "Neues-Passwort-Zeta-42"),
        ("repeat", "Neues-Passwort-Zeta-42"),
    ];

    // Without staff: edit (a supervisor reads staff only): 403 for the form and the reset.
    let mut sven = server.login("sven", GOOD_PASSWORD);
    let path = format!("/admin/staff/{}/password", olga.0);
    assert_eq!(sven.get(&path).status, 403);
    let csrf = sven.get("/admin").csrf();
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(&good);
    assert_eq!(sven.post(&path, &fields).status, 403);

    // With staff: edit, but the target (an admin) holds more: 403, nothing changed.
    let mut pia_client = server.login("pia", GOOD_PASSWORD);
    let above = format!("/admin/staff/{}/password", admin.0);
    assert_eq!(pia_client.get(&above).status, 403);
    let csrf = pia_client.get("/admin").csrf();
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(&good);
    let old = hash_of(&server, admin);
    assert_eq!(pia_client.post(&above, &fields).status, 403);
    assert_eq!(hash_of(&server, admin), old);
    let mut admin_client = server.admin();
    assert!(!signed_out(&mut admin_client));
    // An account holding no more than pia: allowed.
    assert_eq!(pia_client.post(&path, &fields).status, 303);

    // The own account: pointed to the own page, never reset here.
    let own = format!("/admin/staff/{}/password", pia.0);
    let page = pia_client.get(&own);
    assert!(
        page.body.contains("href=\"/account#password\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"new\""));
    let old = hash_of(&server, pia);
    assert_eq!(pia_client.post(&own, &fields).status, 400);
    assert_eq!(hash_of(&server, pia), old);
    assert_eq!(
        resets(&server).len(),
        1,
        "only the allowed reset left an entry"
    );
});
