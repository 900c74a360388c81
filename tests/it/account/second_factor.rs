//! TOTP enrolment, the login's second step with a fixed (manual) clock, replay refusal,
//! single-use recovery codes, throttling of failed codes, mandatory enrolment per role and
//! the admin's reset.

use super::{code, enrol, next_step, password_step, second_step, shown_secret};
use crate::both_backends;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use chrono::TimeDelta;
use diesel::prelude::*;
use plauder::db::schema::{staff_recovery_codes, staff_second_factor};
use plauder::db::staff::{Role, StaffId};

fn session_count(server: &TestServer, staff: StaffId) -> i64 {
    plauder::db::sessions::count_for(&mut server.conn(), staff).unwrap()
}

both_backends!(enrolment_then_login_needs_the_second_step, |db| {
    let server = TestServer::start(db);
    let olga = add_staff(&server, "olga", Role::Operator, None);
    let mut c = server.login("olga", GOOD_PASSWORD);

    // A wrong first code leaves the factor off.
    let page = c.get("/account/second-factor");
    c.post("/account/second-factor/begin", &[("csrf", &page.csrf())]);
    let page = c.get("/account/second-factor");
    let secret = shown_secret(&page);
    let r = c.post(
        "/account/second-factor/confirm",
        &[("csrf", &page.csrf()), ("code", "000000")],
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The code is not valid"), "{}", r.body);
    assert!(!plauder::db::second_factor::is_active(&mut server.conn(), olga).unwrap());
    let r = c.post(
        "/account/second-factor/confirm",
        &[("csrf", &page.csrf()), ("code", &code(&server, &secret))],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(plauder::db::second_factor::is_active(&mut server.conn(), olga).unwrap());
    let codes = crate::account::shown_codes(&r);

    // Stored encrypted and hashed: neither the secret nor a code appears in a row.
    let stored: Vec<u8> = staff_second_factor::table
        .select(staff_second_factor::secret_enc)
        .first(&mut *server.conn())
        .unwrap();
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()));
    let hashes: Vec<Vec<u8>> = staff_recovery_codes::table
        .select(staff_recovery_codes::code_hash)
        .load(&mut *server.conn())
        .unwrap();
    assert_eq!(hashes.len(), 10);
    let letters = codes[0].replace('-', "");
    assert!(
        hashes
            .iter()
            .all(|h| !h.windows(5).any(|w| w == &letters.as_bytes()[..5]))
    );

    // The password alone gives no session, only the second-step form.
    let before = session_count(&server, olga);
    let (mut other, r) = password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!((r.status, r.location()), (303, "/login/second-factor"));
    assert!(
        !other.cookies.contains_key("__Host-plauder"),
        "no session yet"
    );
    assert_eq!(session_count(&server, olga), before);
    assert_eq!(
        other.get("/admin").location(),
        "/login",
        "the challenge grants nothing"
    );

    // The code that confirmed enrolment was used: the same step is a replay.
    let r = second_step(&mut other, &code(&server, &secret));
    assert_eq!(r.status, 401, "replay refused");
    assert!(r.body.contains("not valid or was used already"));
    let r = second_step(&mut other, "123456");
    assert_eq!(r.status, 401);
    next_step(&server);
    let fresh = code(&server, &secret);
    let r = second_step(&mut other, &fresh);
    assert_eq!((r.status, r.location()), (303, "/admin"), "{}", r.body);
    assert_eq!(other.get("/admin").status, 200);
    assert_eq!(session_count(&server, olga), before + 1);

    // The same code once more, in another login within its step: refused.
    let (mut third, _) = password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!(second_step(&mut third, &fresh).status, 401);
    // A code two steps old is outside the window.
    next_step(&server);
    next_step(&server);
    assert_eq!(second_step(&mut third, &fresh).status, 401);
    let r = second_step(&mut third, &code(&server, &secret));
    assert_eq!(r.status, 303);
});

both_backends!(recovery_codes_work_once, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "olga", Role::Operator, None);
    let mut c = server.login("olga", GOOD_PASSWORD);
    let (_, codes) = enrol(&server, &mut c);
    let (mut a, _) = password_step(&server, "olga", GOOD_PASSWORD);
    // Typed in capitals with spaces: still the code.
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(second_step(&mut a, &typed).status, 303);
    let (mut b, _) = password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!(second_step(&mut b, &codes[3]).status, 401, "used up");
    assert_eq!(second_step(&mut b, &codes[4]).status, 303);
    assert!(
        a.get("/account/second-factor")
            .body
            .contains("Unused recovery codes: 8")
    );

    // New codes replace the old ones (confirmed with a current code).
    next_step(&server);
    let page = a.get("/account/second-factor");
    let secret = {
        let f = plauder::db::second_factor::get(
            &mut server.conn(),
            &server.state.ring,
            plauder::db::staff::by_username(&mut server.conn(), "olga")
                .unwrap()
                .unwrap()
                .id,
        )
        .unwrap()
        .unwrap();
        f.secret
    };
    let r = a.post(
        "/account/second-factor/recovery-codes",
        &[("csrf", &page.csrf()), ("code", &code(&server, &secret))],
    );
    assert_eq!(r.status, 200);
    let renewed = crate::account::shown_codes(&r);
    let (mut d, _) = password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!(
        second_step(&mut d, &codes[5]).status,
        401,
        "old codes are void"
    );
    assert_eq!(second_step(&mut d, &renewed[0]).status, 303);
});

both_backends!(failed_codes_count_in_the_login_throttle, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "olga", Role::Operator, None);
    let mut c = server.login("olga", GOOD_PASSWORD);
    let (secret, _) = enrol(&server, &mut c);
    next_step(&server);
    let (mut a, _) = password_step(&server, "olga", GOOD_PASSWORD);
    for _ in 0..6 {
        assert_eq!(second_step(&mut a, "999999").status, 401);
    }
    let r = second_step(&mut a, &code(&server, &secret));
    assert_eq!(r.status, 429, "blocked even with the right code");
    assert!(r.header("retry-after").is_some());
    // The password step is blocked by the same counter.
    let (_, r) = password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!(r.status, 429);
    server.clock.advance(TimeDelta::seconds(2));
    let r = second_step(&mut a, &code(&server, &secret));
    assert_eq!(r.status, 303, "after the delay the right code works");
});

both_backends!(an_unfinished_second_step_expires, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "olga", Role::Operator, None);
    let mut c = server.login("olga", GOOD_PASSWORD);
    let (secret, _) = enrol(&server, &mut c);
    let (mut a, _) = password_step(&server, "olga", GOOD_PASSWORD);
    server.clock.advance(TimeDelta::minutes(6));
    let r = a.get("/login/second-factor");
    assert_eq!(r.location(), "/login?expired=1");
    let csrf = a.get("/login").csrf();
    let r = a.post(
        "/login/second-factor",
        &[("code", &code(&server, &secret)), ("csrf", &csrf)],
    );
    assert_eq!(
        r.location(),
        "/login?expired=1",
        "the right code comes too late"
    );
    assert!(!a.cookies.contains_key("__Host-plauder"), "no session");
    assert!(a.get("/login?expired=1").body.contains("took too long"));
});

both_backends!(
    mandatory_per_role_sends_to_enrolment_and_nowhere_else,
    |db| {
        let server = TestServer::start(db);
        let olga = add_staff(&server, "olga", Role::Operator, None);
        let mut admin = server.admin();
        let page = admin.get("/admin/second-factor");
        assert_eq!(page.status, 200);
        let operator = Role::Operator.id().0.to_string();
        let r = admin.post(
            "/admin/second-factor",
            &[("csrf", &page.csrf()), ("required", &operator)],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(admin.get("/admin/second-factor").body.contains(&format!(
            "id=\"role-{operator}\" name=\"required\" value=\"{operator}\" checked"
        )));
        let r = admin.post(
            "/admin/second-factor",
            &[("csrf", &page.csrf()), ("required", "424242")],
        );
        assert_eq!(r.status, 400, "unknown role named");
        assert!(r.body.contains("required"));

        let mut c = server.login("olga", GOOD_PASSWORD);
        for path in ["/admin", "/console", "/account", "/console/history"] {
            assert_eq!(c.get(path).location(), "/account/second-factor", "{path}");
        }
        let cookie = format!("__Host-plauder={}", c.cookies["__Host-plauder"]);
        let socket = crate::support::ws::open(
            &server,
            "/console/ws",
            Some("https://localhost"),
            Some(&cookie),
        );
        assert!(socket.is_err(), "the console socket is closed too");
        let page = c.get("/account/second-factor");
        assert!(page.body.contains("Your role requires two-factor sign-in"));
        let (secret, _) = enrol(&server, &mut c);
        assert_eq!(c.get("/admin").status, 200, "enrolled: free to work");
        // Required: it cannot be turned off.
        next_step(&server);
        let page = c.get("/account/second-factor");
        let r = c.post(
            "/account/second-factor/disable",
            &[("csrf", &page.csrf()), ("code", &code(&server, &secret))],
        );
        assert_eq!(r.status, 403);
        assert!(plauder::db::second_factor::is_active(&mut server.conn(), olga).unwrap());
    }
);

both_backends!(admin_reset_removes_the_factor_and_ends_sessions, |db| {
    let server = TestServer::start(db);
    let olga = add_staff(&server, "olga", Role::Operator, None);
    let mut c = server.login("olga", GOOD_PASSWORD);
    enrol(&server, &mut c);
    assert_eq!(session_count(&server, olga), 1);
    let mut admin = server.admin();
    let page = admin.get(&format!("/admin/staff/{}/account", olga.0));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Two-factor sign-in is on for this account.")
    );
    let r = admin.post(
        &format!("/admin/staff/{}/second-factor/reset", olga.0),
        &[("csrf", "wrong")],
    );
    assert_eq!(r.status, 403, "CSRF checked");
    assert!(plauder::db::second_factor::is_active(&mut server.conn(), olga).unwrap());
    let r = admin.post(
        &format!("/admin/staff/{}/second-factor/reset", olga.0),
        &[("csrf", &page.csrf())],
    );
    assert_eq!(r.status, 303);
    assert!(!plauder::db::second_factor::is_active(&mut server.conn(), olga).unwrap());
    assert_eq!(
        session_count(&server, olga),
        0,
        "every session of olga ended"
    );
    assert_eq!(c.get("/admin").location(), "/login");
    let (_, r) = password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!(r.location(), "/admin", "password alone again");
    let rows: i64 = staff_recovery_codes::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap();
    assert_eq!(rows, 0);
    // An operator cannot reset anyone.
    let mut other = server.login("olga", GOOD_PASSWORD);
    let csrf = other.get("/admin").csrf();
    let admin_id = plauder::db::staff::by_username(&mut server.conn(), "admin")
        .unwrap()
        .unwrap()
        .id;
    let r = other.post(
        &format!("/admin/staff/{}/second-factor/reset", admin_id.0),
        &[("csrf", &csrf)],
    );
    assert_eq!(r.status, 403);
});
