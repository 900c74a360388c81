//! Staff login, sessions, CSRF and throttling over real HTTPS, on both backends.

use crate::both_backends;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use chrono::TimeDelta;
use plauder::db::staff::Role;

fn session_count(server: &TestServer) -> i64 {
    use diesel::prelude::*;
    plauder::db::schema::sessions::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

both_backends!(login_dashboard_logout, |db| {
    let server = TestServer::start(db);
    let mut c = server.client();
    let page = c.get("/login");
    assert_eq!(page.status, 200);
    let r = c.post(
        "/login",
        &[
            ("username", "admin"),
            ("password", &server.admin_password),
            ("csrf", &page.csrf()),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/admin");
    let cookie = r
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-plauder="))
        .unwrap()
        .to_string();
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "cookie lacks {flag}: {cookie}");
    }
    let token = c.cookies["__Host-plauder"].clone();
    assert_eq!(token.len(), 43, "256-bit token");

    let dash = c.get("/admin");
    assert_eq!(dash.status, 200);
    let backend = if db == crate::support::Db::Sqlite {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let ring_id = server.state.ring.info().ring_id;
    for expected in [
        "Server overview",
        backend,
        env!("CARGO_PKG_VERSION"),
        ring_id.as_str(),
        "Staff accounts",
        "CN=",
    ] {
        assert!(dash.body.contains(expected), "dashboard lacks {expected}");
    }
    assert_eq!(session_count(&server), 1);

    let r = c.post("/logout", &[("csrf", &dash.csrf())]);
    assert_eq!(r.status, 303);
    assert_eq!(
        session_count(&server),
        0,
        "logout deletes the session server-side"
    );
    assert_eq!(c.get("/admin").location(), "/login");
    // The old cookie value is dead, not just forgotten by the browser.
    c.cookies.insert("__Host-plauder".into(), token);
    assert_eq!(c.get("/admin").status, 303);
});

both_backends!(new_session_id_at_every_login, |db| {
    let server = TestServer::start(db);
    let mut c = server.client();
    c.cookies.insert(
        "__Host-plauder".into(),
        "attacker-chosen-value-0000000000000000000000".into(),
    );
    let page = c.get("/login");
    c.post(
        "/login",
        &[
            ("username", "admin"),
            ("password", &server.admin_password),
            ("csrf", &page.csrf()),
        ],
    );
    assert_ne!(
        c.cookies["__Host-plauder"],
        "attacker-chosen-value-0000000000000000000000"
    );
    let first = c.cookies["__Host-plauder"].clone();
    let again = server.admin();
    assert_ne!(again.cookies["__Host-plauder"], first);
});

both_backends!(sessions_expire_idle_and_absolute, |db| {
    let server = TestServer::start(db);
    let mut c = server.admin();
    server.clock.advance(TimeDelta::minutes(31));
    assert_eq!(
        c.get("/admin").location(),
        "/login",
        "idle 31 min ends the session"
    );
    assert_eq!(session_count(&server), 0);

    let mut c = server.admin();
    // Activity every 25 minutes keeps it alive until the absolute limit of 12 hours.
    for step in 1..=30 {
        server.clock.advance(TimeDelta::minutes(25));
        let r = c.get("/admin");
        let alive = step * 25 <= 12 * 60;
        assert_eq!(r.status == 200, alive, "after {} min", step * 25);
    }
});

both_backends!(state_changes_need_the_csrf_token, |db| {
    let server = TestServer::start(db);
    let mut c = server.admin();
    assert_eq!(c.post("/logout", &[]).status, 403);
    assert_eq!(c.post("/logout", &[("csrf", "wrong")]).status, 403);
    assert_eq!(
        c.get("/admin").status,
        200,
        "refused logout changed nothing"
    );
    assert_eq!(c.post("/lang", &[("lang", "de")]).status, 403);

    let mut fresh = server.client();
    let r = fresh.post(
        "/login",
        &[("username", "admin"), ("password", &server.admin_password)],
    );
    assert_eq!(r.status, 403);
    assert!(!fresh.cookies.contains_key("__Host-plauder"));
    // GET never changes state: logging out by GET does nothing.
    assert_eq!(c.get("/logout").status, 404);
    assert_eq!(c.get("/admin").status, 200);
});

both_backends!(failed_logins_are_throttled_per_account, |db| {
    let server = TestServer::start(db);
    let mut c = server.client();
    let csrf = c.get("/login").csrf();
    let attempt = |c: &mut crate::support::client::Client, user: &str, pw: &str| {
        c.post(
            "/login",
            &[("username", user), ("password", pw), ("csrf", &csrf)],
        )
    };
    let unknown = attempt(&mut c, "nobody", "whatever-password");
    let wrong = attempt(&mut c, "admin", "wrong-password-1");
    assert_eq!((unknown.status, wrong.status), (401, 401));
    let message = |body: &str| {
        body.split("role=\"alert\"")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        message(&unknown.body),
        message(&wrong.body),
        "one message for unknown user and wrong password"
    );

    for _ in 0..4 {
        assert_eq!(attempt(&mut c, "admin", "wrong-password-1").status, 401);
    }
    let blocked = attempt(&mut c, "admin", &server.admin_password);
    assert_eq!(
        blocked.status, 429,
        "sixth try is delayed even with the right password"
    );
    assert!(blocked.header("retry-after").is_some());
    server.clock.advance(TimeDelta::seconds(2));
    assert_eq!(attempt(&mut c, "admin", "wrong-password-1").status, 401);
    let longer = attempt(&mut c, "admin", &server.admin_password);
    assert_eq!(longer.status, 429);
    let secs: i64 = longer.header("retry-after").unwrap().parse().unwrap();
    assert!(secs >= 2, "delays grow: {secs}");
    server.clock.advance(TimeDelta::seconds(secs + 1));
    assert_eq!(attempt(&mut c, "admin", &server.admin_password).status, 303);
});

both_backends!(failed_logins_are_throttled_per_address, |db| {
    let server = TestServer::start(db);
    let mut c = server.client();
    let csrf = c.get("/login").csrf();
    for i in 0..6 {
        let user = format!("guess{i}");
        let r = c.post(
            "/login",
            &[
                ("username", &user),
                ("password", "x-wrong-password"),
                ("csrf", &csrf),
            ],
        );
        assert_eq!(r.status, 401);
    }
    let r = c.post(
        "/login",
        &[
            ("username", "admin"),
            ("password", &server.admin_password),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(
        r.status, 429,
        "the address guessing many accounts is slowed down"
    );
});

both_backends!(disabling_a_user_kills_its_sessions, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "olga", Role::Operator, Some("olga@example.de"));
    let mut olga = server.login("olga", GOOD_PASSWORD);
    assert_eq!(olga.get("/admin").status, 200);
    let out = crate::cli::plauder(&server, &["user", "disable", "olga"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 session(s) ended"));
    assert_eq!(olga.get("/admin").location(), "/login");
    let mut again = server.client();
    let csrf = again.get("/login").csrf();
    let r = again.post(
        "/login",
        &[
            ("username", "olga"),
            ("password", GOOD_PASSWORD),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 401, "a disabled account cannot sign in");
});

// The first failures of one subject from several requests at once (one address, many
// tabs) all count; none of them turns into a server error (PostgreSQL lets both insert
// attempts find no row, and the loser's unique violation used to escape as a 500).
both_backends!(simultaneous_first_failures_all_count, |db| {
    let server = TestServer::start(db);
    let now = chrono::Utc::now().naive_utc();
    for round in 0..20u8 {
        let subject = [b's', round];
        let barrier = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    let mut conn = server.conn();
                    barrier.wait();
                    plauder::db::throttle::record_failure(&mut conn, &subject, now).unwrap();
                });
            }
        });
        let mut conn = server.conn();
        let fifth = plauder::db::throttle::record_failure(&mut conn, &subject, now).unwrap();
        assert_eq!(fifth, 5, "every one of the four was counted");
    }
});
