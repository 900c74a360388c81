//! Retention jobs (helper RETENTION): expiry per widget, technical data after 24 hours,
//! dry runs, run records and audit entries, catch-up after downtime, one run per tick on two
//! nodes, the admin page, dashboard and metrics, the CLI. Time moves with the test clock.

mod browser;
mod catch_up;
mod cli;
mod expiry;
mod nodes;
mod pages;
mod technical;

use crate::support::TestServer;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use plauder::clock::Clock as _;
use plauder::db::conversations::{ConversationId, NewConversation};
use plauder::db::widgets::WidgetId;
use plauder::jobs::{self, Cause, Counts, Job, Outcome};

/// A widget with this retention ("1".."36" or "never") and withdrawal policy.
pub fn widget(server: &TestServer, name: &str, retention: &str, withdrawal: &str) -> WidgetId {
    let form = plauder::widget::settings::WidgetForm {
        name: name.into(),
        allowed_origins: "https://shop.example.de".into(),
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        privacy_mode: Some("on".into()),
        withdrawal_policy: withdrawal.into(),
        retention: retention.into(),
        ..Default::default()
    };
    let settings = form.validate().unwrap();
    plauder::db::widgets::insert(&mut server.conn(), &settings, now(server))
        .unwrap()
        .id
}

pub fn now(server: &TestServer) -> NaiveDateTime {
    server.clock.now().naive_utc()
}

/// What one seeded chat is made of.
pub struct Chat<'a> {
    pub email: Option<&'a str>,
    pub consent: bool,
    pub messages: usize,
    /// Technical details (privacy mode off when it was captured).
    pub technical: bool,
}

impl Default for Chat<'_> {
    fn default() -> Self {
        Self {
            email: None,
            consent: true,
            messages: 2,
            technical: true,
        }
    }
}

/// A conversation whose last activity is `at`, made through the domain functions.
pub fn chat(
    server: &TestServer,
    widget: WidgetId,
    at: NaiveDateTime,
    c: &Chat<'_>,
) -> ConversationId {
    let ring = &server.state.ring;
    let mut conn = server.conn();
    let token = plauder::crypto::random_bytes::<32>().unwrap();
    let id = plauder::db::conversations::create(
        &mut conn,
        ring,
        &NewConversation {
            widget,
            token_hash: &token,
            offline: false,
            name: c.email.map(|_| "Erika Mustermann"),
            email: c.email,
        },
        at,
    )
    .unwrap();
    if c.consent {
        let given = plauder::db::consents::Given {
            notice_hash: "ab".repeat(32),
            notice_version: "abababab".into(),
            lang: "de".into(),
        };
        plauder::db::consents::insert(&mut conn, widget, id, &given, at).unwrap();
    }
    for n in 0..c.messages {
        let text = format!("Nachricht {n}");
        let new = plauder::db::messages::NewMessage {
            conversation: id,
            sender: plauder::db::messages::Sender::Visitor,
            staff: None,
            client_id: None,
            text: &text,
        };
        plauder::db::messages::append(&mut conn, ring, &new, at).unwrap();
    }
    if c.technical {
        let meta = plauder::db::visitor_meta::VisitorMeta {
            ip: Some("203.0.113.9".into()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0".into()),
            browser: Some("Firefox 133".into()),
            ..Default::default()
        };
        plauder::db::visitor_meta::insert(&mut conn, ring, id, &meta, at).unwrap();
    }
    id
}

pub fn exists(server: &TestServer, id: ConversationId) -> bool {
    plauder::db::conversations::by_id(&mut server.conn(), id)
        .unwrap()
        .is_some()
}

/// Rows of a table, by name (only the tables the jobs touch).
pub fn rows(server: &TestServer, table: &str) -> i64 {
    use plauder::db::schema::*;
    let mut conn = server.conn();
    let c = &mut *conn;
    match table {
        "conversations" => conversations::table.count().get_result(c),
        "messages" => messages::table.count().get_result(c),
        "consents" => consents::table.count().get_result(c),
        "contacts" => contacts::table.count().get_result(c),
        "conversation_meta" => conversation_meta::table.count().get_result(c),
        "job_runs" => job_runs::table.count().get_result(c),
        "sessions" => sessions::table.count().get_result(c),
        other => panic!("no count for {other}"),
    }
    .unwrap()
}

/// Runs a job as the command line does; returns the run id and counts.
pub fn run(server: &TestServer, job: Job) -> (i64, Counts) {
    match jobs::run(&server.state, job, Cause::Manual, now(server)).unwrap() {
        Outcome::Ran {
            run,
            counts,
            error: None,
        } => (run, counts),
        other => panic!("{} did not run cleanly: {other:?}", job.name()),
    }
}

pub fn advance(server: &TestServer, by: TimeDelta) {
    server.clock.advance(by);
}
