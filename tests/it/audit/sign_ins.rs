//! Signing in and out is audited: the account when the name exists, never the typed name,
//! and no session without its entry.

use super::hooks::{admin_id, assert_no_marker, block_audit, of, unblock_audit};
use crate::both_backends;
use crate::support::{Db, TestServer};

both_backends!(sign_ins_and_sign_outs_are_audited, |db: Db| {
    let server = TestServer::start(db);
    let olga =
        crate::support::add_staff(&server, "olga", plauder::db::staff::Role::Operator, None).0;
    let mut c = server.login("olga", crate::support::GOOD_PASSWORD);
    assert_eq!(
        of(&server, "login"),
        [(
            "staff".into(),
            Some(olga),
            "staff".into(),
            Some(olga),
            "ok".into()
        )]
    );
    let csrf = c.get("/admin").csrf();
    assert_eq!(c.post("/logout", &[("csrf", &csrf)]).status, 303);
    assert_eq!(
        of(&server, "logout"),
        [(
            "staff".into(),
            Some(olga),
            "staff".into(),
            Some(olga),
            "ok".into()
        )]
    );

    // Failures: the account if the name exists, never the typed name.
    let (_, r) = crate::account::password_step(&server, "olga", "falsch-falsch-falsch");
    assert_eq!(r.status, 401);
    let (_, r) = crate::account::password_step(&server, "niemand-xq7", "falsch-falsch-falsch");
    assert_eq!(r.status, 401);
    assert_eq!(
        of(&server, "login_failed"),
        [
            (
                "anonymous".into(),
                None,
                "staff".into(),
                Some(olga),
                "failed".into()
            ),
            (
                "anonymous".into(),
                None,
                "staff".into(),
                None,
                "failed".into()
            ),
        ]
    );
    let throttled = (0..20)
        .map(|_| crate::account::password_step(&server, "olga", "falsch-falsch-falsch").1)
        .find(|r| r.status == 429);
    assert!(throttled.is_some(), "the throttle answers");
    assert_eq!(of(&server, "login_throttled")[0].3, Some(olga));

    // With a second factor: the password step records nothing yet, a wrong code is an
    // entry about the account, the right one the login.
    server.clock.advance(chrono::TimeDelta::hours(2));
    let mut admin = server.admin();
    let (secret, _) = crate::account::enrol(&server, &mut admin);
    let logins = of(&server, "login").len();
    let (mut c, r) = crate::account::password_step(&server, "admin", &server.admin_password);
    assert_eq!(r.status, 303);
    assert_eq!(of(&server, "login").len(), logins, "not signed in yet");
    assert_eq!(crate::account::second_step(&mut c, "000000").status, 401);
    let admin_id = admin_id(&server);
    assert_eq!(
        of(&server, "second_factor_failed"),
        [(
            "anonymous".into(),
            None,
            "staff".into(),
            Some(admin_id),
            "failed".into()
        )]
    );
    crate::account::next_step(&server);
    let code = crate::account::code(&server, &secret);
    assert_eq!(crate::account::second_step(&mut c, &code).status, 303);
    assert_eq!(of(&server, "login").len(), logins + 1);
    crate::audit::intact(&server);
    assert_no_marker(&server, &["niemand-xq7", "falsch-falsch-falsch"]);
});

both_backends!(no_sign_in_without_its_entry, |db: Db| {
    let server = TestServer::start(db);
    block_audit(&server, db);
    let (mut c, r) = crate::account::password_step(&server, "admin", &server.admin_password);
    assert!(r.status >= 500, "{}", r.status);
    assert_eq!(c.get("/admin").status, 303, "no session");
    let sessions: i64 = {
        use diesel::prelude::*;
        plauder::db::schema::sessions::table
            .count()
            .get_result(&mut *server.conn())
            .unwrap()
    };
    assert_eq!(sessions, 0, "the session was ended again");
    unblock_audit(&server, db);
    server.admin();
});
