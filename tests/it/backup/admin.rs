//! `/admin/backups`: the list with time, size and verify state; "create backup now" makes
//! and verifies one (CSRF required, audited as a job run); the two-day warning shows on the
//! page and the dashboard, and goes once a fresh backup exists. Screenshots of the page at
//! desktop and phone width, with a backup and with the warning, into /tmp/shots/.

use crate::support::webdriver::Driver;
use crate::support::{Db, TestServer};
use chrono::TimeDelta;
use diesel::prelude::*;
use plauder::db::schema::audit_log;

fn job_runs(s: &TestServer) -> i64 {
    audit_log::table
        .filter(audit_log::action.eq("job_run"))
        .count()
        .get_result(&mut *s.conn())
        .unwrap()
}

#[test]
fn backups_page_lists_creates_and_warns() {
    let s = TestServer::start(Db::Sqlite);
    let mut admin = s.admin();
    let page = admin.get("/admin/backups");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("id=\"backup-stale\""),
        "no backup yet: warning"
    );
    assert!(page.body.contains("id=\"backup-empty\""));
    assert!(admin.get("/admin").body.contains("id=\"backup-panel\""));

    // Without CSRF: refused, nothing made.
    assert_eq!(admin.post("/admin/backups/create", &[]).status, 403);
    assert!(super::files(&s.data_dir().join("backups")).is_empty());
    let r = admin.post("/admin/backups/create", &[("csrf", &page.csrf())]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/admin/backups?done=created");
    assert_eq!(job_runs(&s), 1, "audited");
    let files = super::files(&s.data_dir().join("backups"));
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let page = admin.get("/admin/backups?done=created");
    assert!(page.body.contains(&name), "{}", page.body);
    // Listed, never offered: no link to the file, no download attribute.
    assert!(!page.body.contains(".pbak\"") && !page.body.contains(" download>"));
    assert!(!page.body.contains(" download ") && !page.body.contains(" download=\""));
    assert!(page.body.contains("id=\"backup-fresh\""));
    assert!(!page.body.contains("id=\"backup-stale\""));
    assert!(page.body.contains("verified"), "verified at create time");
    assert!(!admin.get("/admin").body.contains("id=\"backup-panel\""));

    shots(&s, "backups");
    // Two days and a bit later the warning is back, on the page and the dashboard.
    s.clock.advance(TimeDelta::hours(49));
    let mut admin = s.admin(); // the old session ended with the clock's jump
    let page = admin.get("/admin/backups");
    assert!(page.body.contains("id=\"backup-stale\""), "{}", page.body);
    assert!(page.body.contains(&name));
    assert!(admin.get("/admin").body.contains("id=\"backup-panel\""));
    shots(&s, "backups-stale");
}

fn shots(s: &TestServer, name: &str) {
    let base = format!("https://localhost:{}", s.addr.port());
    std::fs::create_dir_all("/tmp/shots").unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    for (width, height) in [(1280, 900), (360, 900)] {
        let b = driver.browser(width, height, &profiles.path().join(format!("w{width}")));
        b.sign_in(&base, "admin", &s.admin_password);
        b.wait_for("the dashboard", "return location.pathname === '/admin'");
        if name.ends_with("stale") {
            b.screenshot(&std::path::PathBuf::from(format!(
                "/tmp/shots/dashboard-{name}-{width}.png"
            )));
        }
        b.goto(&format!("{base}/admin/backups"));
        b.wait_for(
            name,
            "return document.readyState === 'complete' && !!document.querySelector('h1')",
        );
        b.screenshot(&std::path::PathBuf::from(format!(
            "/tmp/shots/{name}-{width}.png"
        )));
        let overflow = b
            // The page's own card; the shared navigation is not this page's.
            .js(
                "const c = document.querySelector('section.card'); return c.scrollWidth > c.clientWidth + 1",
                vec![],
            )
            .as_bool()
            .unwrap();
        assert!(!overflow, "{name} overflows at {width} px");
    }
}
