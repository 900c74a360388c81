//! What staff see: `/admin/retention` (jobs, next runs, the deletion calendar, runs), the
//! widget form's retention period with its warning for "never", a failed or missed job on
//! the dashboard and in `/metrics`.

use super::{Chat, chat, now, run, widget};
use crate::both_backends;
use crate::support::TestServer;
use chrono::{Months, TimeDelta};
use diesel::prelude::*;
use plauder::db::schema::widget_privacy;
use plauder::jobs::Job;
use std::io::{Read, Write};

both_backends!(
    the_retention_page_shows_jobs_and_the_deletion_calendar,
    |db| {
        let server = TestServer::start(db);
        let shop = widget(&server, "Laden", "6", "delete_now");
        let edge = now(&server).checked_sub_months(Months::new(6)).unwrap();
        chat(&server, shop, edge + TimeDelta::days(3), &Chat::default());
        chat(&server, shop, edge + TimeDelta::days(20), &Chat::default());
        chat(&server, shop, edge + TimeDelta::days(90), &Chat::default());
        run(&server, Job::Sessions);
        let mut admin = server.admin();
        let page = admin.get("/admin/retention");
        assert_eq!(page.status, 200);
        let body = &page.body;
        assert!(
            body.contains("id=\"job-expiry\"") && body.contains("0 15 3 * * *"),
            "{body}"
        );
        assert!(body.contains("id=\"job-backup\""));
        let calendar = &body[body.find("id=\"calendar\"").unwrap()..];
        assert!(
            calendar.contains("Laden") && calendar.contains("6 "),
            "{calendar}"
        );
        assert!(
            calendar.contains("class=\"week\"><span>1<"),
            "one within 7 days: {calendar}"
        );
        assert!(
            calendar.contains("class=\"month\"><span>2<"),
            "two within 30 days: {calendar}"
        );
        let runs = &body[body.find("id=\"runs\"").unwrap()..];
        assert!(
            runs.contains("sessions=") || runs.contains("nothing"),
            "{runs}"
        );
        // An operator may not read settings: no page.
        crate::support::add_staff(&server, "olga", plauder::db::staff::Role::Operator, None);
        let mut op = server.login("olga", crate::support::GOOD_PASSWORD);
        assert_eq!(op.get("/admin/retention").status, 403);
        assert!(!op.get("/admin").body.contains("jobs-panel"));
    }
);

both_backends!(the_widget_form_sets_the_retention_period, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    let id = crate::widgets::create_widget(&mut admin, &crate::widgets::GOOD);
    let page = admin.get(&format!("/admin/widgets/{id}"));
    assert!(
        page.body.contains("<option value=\"12\" selected>"),
        "default 12 months"
    );
    assert!(!page.body.contains("id=\"retention-warning\""));
    let stored = |server: &TestServer| -> i32 {
        widget_privacy::table
            .select(widget_privacy::retention_months)
            .first(&mut *server.conn())
            .unwrap()
    };
    assert_eq!(stored(&server), 12);
    let save = |admin: &mut crate::support::client::Client, value: &str| {
        let csrf = admin.get(&format!("/admin/widgets/{id}")).csrf();
        let mut fields = crate::widgets::GOOD.to_vec();
        fields.push(("retention", value));
        fields.push(("csrf", &csrf));
        admin.post(&format!("/admin/widgets/{id}"), &fields)
    };
    assert_eq!(save(&mut admin, "24").status, 303);
    assert_eq!(stored(&server), 24);
    assert_eq!(save(&mut admin, "never").status, 303);
    assert_eq!(stored(&server), 0);
    let page = admin.get(&format!("/admin/widgets/{id}"));
    assert!(page.body.contains("<option value=\"never\" selected>"));
    assert!(
        page.body
            .contains("id=\"retention-warning\" role=\"alert\""),
        "a visible warning"
    );
    for bad in ["0", "37", "immer"] {
        let r = save(&mut admin, bad);
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.body.contains("id=\"retention-error\""), "{bad}");
    }
    assert_eq!(stored(&server), 0, "a refused value changes nothing");
});

fn scrape(port: u16) -> String {
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        tcp,
        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    tcp.read_to_string(&mut raw).unwrap();
    raw
}

both_backends!(
    a_failed_or_missed_job_shows_on_the_dashboard_and_in_metrics,
    |db| {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = TestServer::start_with(db, |c| {
            c.general.metrics_listen = format!("127.0.0.1:{port}");
        });
        // Two days after the installation: the nightly ticks since then went by.
        server.clock.advance(chrono::TimeDelta::days(2));
        let shop = widget(&server, "Shop", "12", "delete_now");
        run(&server, Job::Sessions);
        let mut admin = server.admin();
        let dashboard = admin.get("/admin");
        assert!(
            !dashboard.body.contains("id=\"jobs-panel-sessions\""),
            "it ran: nothing to show"
        );
        // The sessions job ran; the others never did, and a tick since the installation is past: missed.
        assert!(
            dashboard.body.contains("id=\"jobs-panel-expiry\""),
            "{}",
            dashboard.body
        );

        diesel::sql_query(format!(
            "UPDATE widget_privacy SET withdrawal_policy = 'kaputt' WHERE widget_id = {}",
            shop.0
        ))
        .execute(&mut *server.conn())
        .unwrap();
        let failed = plauder::jobs::run(
            &server.state,
            Job::Expiry,
            plauder::jobs::Cause::Manual,
            now(&server),
        )
        .unwrap();
        assert!(matches!(
            failed,
            plauder::jobs::Outcome::Ran { error: Some(_), .. }
        ));
        let panel = admin.get("/admin").body;
        let line = &panel[panel.find("id=\"jobs-panel-expiry\"").unwrap()..];
        let line = &line[..line.find("</li>").unwrap()];
        assert!(
            line.contains("failed") && line.contains("withdrawal policy"),
            "{line}"
        );

        let state = server.state.clone();
        actix_web::rt::System::new()
            .block_on(async move { plauder::jobs::scheduler::refresh_metrics(&state).await });
        let text = scrape(port);
        assert!(
            text.contains("plauder_job_failures_total{job=\"expiry\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("plauder_job_last_success_timestamp_seconds{job=\"sessions\"} "),
            "{text}"
        );
        assert!(
            text.contains("plauder_job_missed{job=\"audit\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("plauder_job_missed{job=\"sessions\"} 0"),
            "{text}"
        );
    }
);
