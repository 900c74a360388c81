//! The audit log on both backends: the chain verifies, and `plauder audit verify` (the real
//! binary) names the first edited, deleted, reordered or forged entry; appends from many
//! threads and from two server processes on one PostgreSQL make one gapless chain; pruning
//! keeps the rest verifiable; audited actions leave entries, and when the entry cannot be
//! written the read does not happen; no personal value reaches an audit row.

mod admin;
mod admin_changes;
mod bounded;
mod chain;
mod hooks;
mod nodes;
mod prune;
mod reason;
mod sign_ins;

use crate::support::{Db, TestServer};
use diesel::connection::SimpleConnection;
use plauder::audit::{self, Action, Actor, ChainState, Entry, Object};
use plauder::clock::Clock as _;

/// Appends `n` system entries through the library, as the program does.
pub fn append_entries(server: &TestServer, n: usize) {
    let mut conn = server.conn();
    for i in 0..n {
        let entry = Entry::new(
            server.clock.naive(),
            Actor::System,
            Action::JobRun,
            Object::new(plauder::audit::ObjectKind::Job, Some(i as i64)),
        );
        audit::append(&mut conn, &server.state.ring, &entry).unwrap();
    }
}

/// The chain as the program sees it.
pub fn state(server: &TestServer) -> ChainState {
    audit::verify(&mut server.conn(), &server.state.ring, None).unwrap()
}

/// Entries and head seq of an intact chain; panics on a broken one.
pub fn intact(server: &TestServer) -> (u64, i64) {
    match state(server) {
        ChainState::Intact { entries, head, .. } => (entries, head.seq),
        broken => panic!("chain broken: {broken:?}"),
    }
}

/// Runs raw SQL as someone with database access alone would.
pub fn sql(server: &TestServer, statements: &str) {
    server.conn().batch_execute(statements).unwrap();
}

/// Drops the append-only trigger first, as an intruder with database access can.
pub fn drop_guard(server: &TestServer, db: Db) {
    sql(
        server,
        match db {
            Db::Sqlite => "DROP TRIGGER audit_log_append_only",
            Db::Postgres => "DROP TRIGGER audit_log_append_only ON audit_log",
        },
    );
}

/// All stored rows in chain order.
pub fn rows(server: &TestServer) -> Vec<plauder::db::audit::Row> {
    plauder::db::audit::after(&mut server.conn(), i64::MIN, 100_000).unwrap()
}
