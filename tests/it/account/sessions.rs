//! Each user sees their own sessions with a coarse client, ends any of them, and a password
//! change ends every other session.

use super::login_as_browser;
use crate::both_backends;
use crate::support::client::Response;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use diesel::prelude::*;
use plauder::db::schema::sessions;
use plauder::db::staff::Role;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87";

/// The session handles in the account page's end buttons, in page order.
fn handles(page: &Response) -> Vec<String> {
    page.body
        .split("name=\"session\" value=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

both_backends!(
    sessions_are_listed_with_a_coarse_client_and_can_be_ended,
    |db| {
        let server = TestServer::start(db);
        add_staff(&server, "olga", Role::Operator, None);
        add_staff(&server, "paul", Role::Operator, None);
        let mut firefox = login_as_browser(&server, "olga", GOOD_PASSWORD, FIREFOX);
        server.clock.advance(chrono::TimeDelta::minutes(1));
        let mut edge = login_as_browser(&server, "olga", GOOD_PASSWORD, EDGE);
        let mut paul = server.login("paul", GOOD_PASSWORD);

        let page = firefox.get("/account");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Firefox on Linux"), "{}", page.body);
        assert!(page.body.contains("Edge on Windows"));
        assert_eq!(page.body.matches("this browser").count(), 1);
        let listed = handles(&page);
        assert_eq!(listed.len(), 2, "olga's two sessions, not paul's");
        // Only the coarse label is stored: no user-agent string anywhere in the table.
        let labels: Vec<Option<String>> = sessions::table
            .select(sessions::client_label)
            .load(&mut *server.conn())
            .unwrap();
        assert!(labels.contains(&Some("Firefox/Linux".into())));
        assert!(labels.contains(&Some("Edge/Windows".into())));
        assert!(labels.iter().flatten().all(|l| !l.contains("Mozilla")));

        // Another user's handle finds nothing.
        let paul_handles = handles(&paul.get("/account"));
        let r = firefox.post(
            "/account/sessions/end",
            &[("csrf", &page.csrf()), ("session", &paul_handles[0])],
        );
        assert_eq!(r.status, 400);
        assert!(r.body.contains("session"));
        assert_eq!(paul.get("/admin").status, 200, "paul's session lives");
        let r = firefox.post(
            "/account/sessions/end",
            &[("csrf", "forged"), ("session", &listed[0])],
        );
        assert_eq!(r.status, 403);

        // Newest first: the Edge session is listed first; end it from Firefox.
        assert_eq!(edge.get("/admin").status, 200);
        let r = firefox.post(
            "/account/sessions/end",
            &[("csrf", &page.csrf()), ("session", &listed[0])],
        );
        assert_eq!((r.status, r.location()), (303, "/account?done=session"));
        assert_eq!(edge.get("/admin").location(), "/login", "ended");
        assert_eq!(firefox.get("/admin").status, 200);
        let page = firefox.get("/account?done=session");
        assert!(page.body.contains("The session has ended."));
        assert!(!page.body.contains("Edge on Windows"));
        // Ending one's own session signs out.
        let own = handles(&page);
        let r = firefox.post(
            "/account/sessions/end",
            &[("csrf", &page.csrf()), ("session", &own[0])],
        );
        assert_eq!(r.location(), "/login?bye=1");
        assert_eq!(firefox.get("/admin").location(), "/login");
    }
);

both_backends!(a_password_change_ends_every_other_session, |db| {
    let server = TestServer::start(db);
    let olga = add_staff(&server, "olga", Role::Operator, None);
    let mut here = server.login("olga", GOOD_PASSWORD);
    let mut there = server.login("olga", GOOD_PASSWORD);
    let mut third = server.login("olga", GOOD_PASSWORD);
    let csrf = here.get("/account").csrf();
    let change =
        |c: &mut crate::support::client::Client, current: &str, new: &str, repeat: &str| {
            c.post(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("repeat", repeat),
                ],
            )
        };
    let count = || plauder::db::sessions::count_for(&mut server.conn(), olga).unwrap();
    assert_eq!(count(), 3);
    let r = change(
        &mut here,
        "falsch-falsch-1",
        "Neues-Passwort-42",
        "Neues-Passwort-42",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("The current password is wrong."));
    let r = change(
        &mut here,
        GOOD_PASSWORD,
        "Neues-Passwort-42",
        "Neues-Passwort-43",
    );
    assert!(r.body.contains("The two new passwords differ."));
    let r = change(&mut here, GOOD_PASSWORD, "kurz", "kurz");
    assert!(r.body.contains("at least 12 characters"));
    let r = change(
        &mut here,
        GOOD_PASSWORD,
        "olga-olga-olga-1",
        "olga-olga-olga-1",
    );
    assert!(r.body.contains("must not contain the user name"));
    assert_eq!(count(), 3, "refusals change nothing");

    let r = change(
        &mut here,
        GOOD_PASSWORD,
        "Neues-Passwort-42",
        "Neues-Passwort-42",
    );
    assert_eq!((r.status, r.location()), (303, "/account?done=password"));
    assert_eq!(count(), 1, "only this session remains");
    assert_eq!(here.get("/admin").status, 200);
    assert_eq!(there.get("/admin").location(), "/login");
    assert_eq!(third.get("/admin").location(), "/login");
    let (_, r) = crate::account::password_step(&server, "olga", GOOD_PASSWORD);
    assert_eq!(r.status, 401, "old password is void");
    let (_, r) = crate::account::password_step(&server, "olga", "Neues-Passwort-42");
    assert_eq!(r.status, 303);
});
