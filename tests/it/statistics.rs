//! Team statistics on both backends: exact figures from conversations seeded with known
//! times (per day, week, team, widget, operator), operator naming (named, anonymised,
//! omitted) on the page and in the CSV, formula cells neutralised, the period's bounds,
//! who may see and change what, and the audit entries. The fixture seeds through the same
//! domain functions the chat uses, each with its own timestamp.

mod access;
mod browser;
mod figures;

use crate::support::{TestServer, add_staff};
use chrono::{NaiveDateTime, TimeDelta};
use plauder::db::conversations::{self, ConversationId, NewConversation};
use plauder::db::messages::{self, NewMessage, Sender};
use plauder::db::staff::{Role, StaffId};
use plauder::db::teams::{self, DEFAULT_TEAM};
use plauder::db::widgets::WidgetId;

/// The period the fixture fills: Monday 2 to Sunday 8 March 2026 (ISO week 10).
pub const FROM: &str = "2026-03-02";
pub const TO: &str = "2026-03-08";
pub const PERIOD: &str = "from=2026-03-02&to=2026-03-08";

pub struct Fixture {
    pub server: TestServer,
    pub erika: StaffId,
    pub max: StaffId,
    pub shop: WidgetId,
    pub cmd: WidgetId,
    pub team_b: i64,
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// One conversation's life: created at `start`, then each step `secs` later.
pub enum Step {
    Take(StaffId),
    Transfer(StaffId),
    Visitor,
    Reply(StaffId),
    Note(StaffId),
    Close,
}

fn chat(server: &TestServer, widget: WidgetId, offline: bool, start: &str, steps: &[(i64, Step)]) {
    let start = at(start);
    let mut conn = server.conn();
    let ring = &server.state.ring;
    let token = plauder::crypto::random_bytes::<32>().unwrap();
    let new = NewConversation {
        widget,
        token_hash: &token,
        offline,
        name: Some("Erika Mustermann"),
        email: None,
    };
    let id: ConversationId = conversations::create(&mut conn, ring, &new, start).unwrap();
    let say = |conn: &mut plauder::db::DbConn, sender, staff, t| {
        let m = NewMessage {
            conversation: id,
            sender,
            staff,
            client_id: None,
            text: "Geheimtext der Nachricht",
        };
        messages::append(conn, ring, &m, t).unwrap();
    };
    say(&mut conn, Sender::Visitor, None, start);
    for (secs, step) in steps {
        let t = start + TimeDelta::seconds(*secs);
        match step {
            Step::Take(s) => assert!(conversations::take(&mut conn, id, *s, t).unwrap()),
            Step::Transfer(s) => assert!(conversations::transfer(&mut conn, id, *s, t).unwrap()),
            Step::Visitor => say(&mut conn, Sender::Visitor, None, t),
            Step::Reply(s) => say(&mut conn, Sender::Operator, Some(*s), t),
            Step::Note(s) => say(&mut conn, Sender::Note, Some(*s), t),
            Step::Close => assert!(conversations::close(&mut conn, id, t).unwrap()),
        }
    }
}

/// Two teams, a widget in each (the second named "=cmd"), two operators and six
/// conversations in the period (two missed), one just before and one just after it.
pub fn fixture(db: crate::support::Db) -> Fixture {
    use Step::*;
    let server = TestServer::start(db);
    let now = at("2026-03-01 08:00:00");
    let team_b = teams::create(&mut server.conn(), "Team Süd", now).unwrap();
    let (shop, _) = crate::access::widget_in(&server, "Shop Nord", DEFAULT_TEAM);
    let (cmd, _) = crate::access::widget_in(&server, "=cmd", team_b);
    let erika = add_staff(&server, "erika.op", Role::Operator, None);
    let max = add_staff(&server, "max.op", Role::Operator, None);
    let s = &server;
    // Widget "Shop Nord" (default team).
    chat(
        s,
        shop,
        false,
        "2026-03-02 10:00:00",
        &[
            (2, Take(erika)),
            (5, Note(max)),
            (30, Reply(erika)),
            (40, Visitor),
            (600, Close),
        ],
    );
    chat(
        s,
        shop,
        false,
        "2026-03-02 11:00:00",
        &[
            (10, Take(max)),
            (90, Reply(max)),
            (95, Reply(max)),
            (1200, Close),
        ],
    );
    // Closed before anyone replied: missed.
    chat(
        s,
        shop,
        false,
        "2026-03-03 09:00:00",
        &[(60, Visitor), (120, Close)],
    );
    // Answered, still open.
    chat(
        s,
        shop,
        false,
        "2026-03-04 09:00:00",
        &[(100, Take(erika)), (300, Reply(erika))],
    );
    // Widget "=cmd" (team B): an offline message (missed, even when answered later) …
    chat(
        s,
        cmd,
        true,
        "2026-03-04 12:00:00",
        &[(3700, Reply(max)), (86_400, Close)],
    );
    // … and a chat erika answered and handed to max, who closed it.
    chat(
        s,
        cmd,
        false,
        "2026-03-05 08:00:00",
        &[
            (20, Take(erika)),
            (60, Reply(erika)),
            (400, Transfer(max)),
            (500, Reply(max)),
            (1800, Close),
        ],
    );
    // Outside the period, on either side.
    chat(
        s,
        shop,
        false,
        "2026-03-01 23:59:59",
        &[(1, Take(erika)), (2, Reply(erika)), (3, Close)],
    );
    chat(s, cmd, false, "2026-03-09 00:00:00", &[(1, Close)]);
    Fixture {
        server,
        erika,
        max,
        shop,
        cmd,
        team_b: team_b.0,
    }
}

/// Sets the operator naming as the settings page does, as admin.
pub fn set_naming(f: &Fixture, value: &str) {
    let mut admin = f.server.admin();
    let csrf = admin.get("/admin/settings").csrf();
    let r = admin.post(
        "/admin/settings/statistics",
        &[("csrf", &csrf), ("operator_names", value)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

/// The export of the fixture's period, parsed back.
pub fn export(client: &mut crate::support::client::Client) -> (String, Vec<Vec<String>>) {
    let r = client.get(&format!("/admin/statistics/export.csv?{PERIOD}"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(r.body.as_bytes());
    let rows = reader
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (r.body, rows)
}
