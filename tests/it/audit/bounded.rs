//! The audit page checks the chain at a bounded cost per view (`audit::verify_bounded`):
//! what was appended since the last view, plus a rolling re-check of 2,000 older entries.
//! An entry edited after it was checked therefore shows within ⌈entries / 2,000⌉ + 1
//! views, while `audit::verify` (the command line) finds it at once.

use super::{drop_guard, sql};
use crate::both_backends;
use crate::support::{Db, TestServer};
use plauder::audit::{self, Action, Actor, ChainState, Entry, Object, ObjectKind};
use plauder::clock::Clock as _;

/// Appends `n` entries in one transaction (fast, and the same chain as one by one).
fn append_many(server: &TestServer, n: i64) {
    let mut conn = server.conn();
    let now = server.clock.naive();
    plauder::db::write_transaction(&mut conn, |c| {
        for i in 0..n {
            let object = Object::new(ObjectKind::Job, Some(i));
            let entry = Entry::new(now, Actor::System, Action::JobRun, object);
            audit::record(c, &server.state.ring, &entry)?;
        }
        Ok::<_, plauder::db::DbError>(())
    })
    .unwrap();
}

fn shows_broken_at(body: &str, seq: i64) -> bool {
    body.contains(&format!("bei Eintrag {seq}:")) || body.contains(&format!("at entry {seq}:"))
}

both_backends!(an_old_edit_shows_on_the_page_within_a_round, |db: Db| {
    let server = TestServer::start(db);
    append_many(&server, 4_500);
    let mut c = server.admin();
    let first = c.get("/admin/audit");
    assert!(first.body.contains("class=\"notice\""), "intact at first");
    drop_guard(&server, db);
    sql(
        &server,
        "UPDATE audit_log SET outcome = 'failed' WHERE seq = 10",
    );
    let full = audit::verify(&mut server.conn(), &server.state.ring, None).unwrap();
    assert!(
        matches!(&full, ChainState::Broken(b) if b.seq == 10),
        "the full check finds it at once: {full:?}"
    );
    // Three more rounds of 2,000 cover the ~4,500 entries (and the views' own entries).
    let found = (0..4).position(|_| shows_broken_at(&c.get("/admin/audit").body, 10));
    assert!(found.is_some(), "the page shows the edit within a round");
    // Not on the very next view: a view does not re-read the whole log.
    assert!(found > Some(0), "bounded: {found:?}");
    // Once found, it stays shown.
    assert!(shows_broken_at(&c.get("/admin/audit").body, 10));
});
