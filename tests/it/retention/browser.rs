//! The retention page and the widget form's retention field in real headless Chromium, at
//! desktop width and at 360 px: nothing wider than the screen, the "never" warning visible.
//! Screenshots land in target/browser-artifacts/.

use super::{Chat, chat, now, run, widget};
use crate::support::webdriver::Driver;
use crate::support::{Db, TestServer};
use chrono::{Months, TimeDelta};
use plauder::jobs::Job;

#[test]
fn retention_page_and_widget_field_look_finished() {
    let server = TestServer::start(Db::Sqlite);
    let shop = widget(&server, "Webshop", "6", "delete_now");
    let forever = widget(&server, "Archiv", "never", "keep_until_retention");
    let edge = now(&server).checked_sub_months(Months::new(6)).unwrap();
    for days in [2, 5, 12, 25, 60] {
        chat(
            &server,
            shop,
            edge + TimeDelta::days(days),
            &Chat::default(),
        );
    }
    chat(&server, forever, edge, &Chat::default());
    for job in [Job::Sessions, Job::Technical, Job::Expiry] {
        run(&server, job);
    }
    let public_id = plauder::db::widgets::by_id(&mut server.conn(), forever)
        .unwrap()
        .unwrap()
        .public_id;
    let profiles = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let base = format!("https://localhost:{}", server.addr.port());
    for (width, height, label) in [(1280, 1500, "desktop"), (360, 900, "360")] {
        let v = driver.browser(width, height, &profiles.path().join(label));
        v.sign_in(&base, "admin", &server.admin_password);
        v.wait_for("signed in", "return location.pathname === '/admin'");
        v.goto(&format!("{base}/admin/retention"));
        v.wait_for("the page", "return !!document.querySelector('#calendar')");
        // The page's own content fits (the shared navigation bar wraps on its own terms).
        let overflow = v.js(
            "var c = document.querySelector('section.card'); return Math.ceil(c.scrollWidth - c.clientWidth + Math.max(0, c.getBoundingClientRect().right - document.documentElement.clientWidth))",
            vec![],
        );
        v.shot(&format!("retention-{label}"));
        v.js("document.querySelector('#jobs').scrollIntoView()", vec![]);
        v.shot(&format!("retention-jobs-{label}"));
        v.js(
            "document.querySelector('#calendar').scrollIntoView()",
            vec![],
        );
        v.shot(&format!("retention-calendar-{label}"));
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{label}: wider than the screen by {overflow}"
        );
        v.goto(&format!("{base}/admin/widgets/{public_id}"));
        v.wait_for("the form", "return !!document.querySelector('#retention')");
        v.js(
            "document.querySelector('#retention').scrollIntoView({block: 'center'})",
            vec![],
        );
        let warning = v.js(
            "var w = document.querySelector('#retention-warning'); return !!w && w.getBoundingClientRect().height > 0",
            vec![],
        );
        assert_eq!(
            warning.as_bool(),
            Some(true),
            "{label}: the warning for never shows"
        );
        v.shot(&format!("widget-retention-{label}"));
    }
}
