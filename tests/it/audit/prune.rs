//! Retention prunes the oldest entries and leaves a MAC'd anchor: the rest still verifies,
//! and moving or dropping the anchor shows.

use super::{append_entries, drop_guard, intact, rows, sql, state};
use crate::both_backends;
use crate::cli::plauder;
use crate::support::{Db, TestServer};
use plauder::audit::{self, ChainState, Problem};
use plauder::clock::Clock as _;

fn prune(server: &TestServer, days: u32) -> audit::Pruned {
    audit::prune(
        &mut server.conn(),
        &server.state.ring,
        server.clock.naive(),
        days,
    )
    .unwrap()
}

both_backends!(pruning_keeps_the_rest_verifiable, |db: Db| {
    let server = TestServer::start(db);
    append_entries(&server, 5);
    server.clock.advance(chrono::TimeDelta::days(400));
    append_entries(&server, 5);
    assert_eq!(
        prune(&server, 500).entries,
        0,
        "nothing is older than 500 days"
    );
    let pruned = prune(&server, 300);
    assert_eq!((pruned.entries, pruned.through), (5, Some(5)));
    // The prune is itself an entry, after the kept ones.
    let kept = rows(&server);
    assert_eq!(kept.first().unwrap().seq, 6);
    let last = kept.last().unwrap();
    assert_eq!((last.seq, last.action.as_str()), (11, "audit_pruned"));
    assert_eq!(last.object_id, Some(5));
    match state(&server) {
        ChainState::Intact {
            entries,
            first,
            head,
        } => {
            assert_eq!((entries, first, head.seq), (6, Some(6), 11))
        }
        broken => panic!("{broken:?}"),
    }
    let o = plauder(&server, &["audit", "verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        prune(&server, 300).entries,
        0,
        "pruning twice prunes nothing more"
    );

    // The anchor cannot be moved, and dropping it shows.
    sql(&server, "UPDATE audit_anchor SET seq = 4");
    assert!(matches!(
        state(&server),
        ChainState::Broken(b) if b.problem == Problem::AnchorAltered
    ));
    let o = plauder(&server, &["audit", "verify"]);
    assert!(!o.status.success());
    sql(&server, "UPDATE audit_anchor SET seq = 5");
    assert_eq!(intact(&server), (6, 11));
    let anchor = plauder::db::audit::anchor(&mut server.conn())
        .unwrap()
        .unwrap();
    sql(&server, "DELETE FROM audit_anchor");
    match state(&server) {
        ChainState::Broken(b) => assert_eq!(b.seq, 1, "{b}"),
        intact => panic!("{intact:?}"),
    }
    plauder::db::audit::set_anchor(&mut server.conn(), &anchor).unwrap();
    assert_eq!(intact(&server), (6, 11));

    // Everything old: all entries go, the anchor holds the head, appends go on after it.
    server.clock.advance(chrono::TimeDelta::days(1000));
    let pruned = prune(&server, 300);
    assert_eq!((pruned.entries, pruned.through), (6, Some(11)));
    append_entries(&server, 2);
    assert_eq!(intact(&server), (3, 14));

    // A break inside the range to prune stops the prune: evidence is not destroyed.
    drop_guard(&server, db);
    sql(
        &server,
        "UPDATE audit_log SET outcome = 'denied' WHERE seq = 13",
    );
    server.clock.advance(chrono::TimeDelta::days(1000));
    let refused = audit::prune(
        &mut server.conn(),
        &server.state.ring,
        server.clock.naive(),
        300,
    );
    assert!(refused.is_err());
    assert_eq!(rows(&server).len(), 3, "nothing pruned");
});

both_backends!(prune_command_uses_the_configured_retention, |db: Db| {
    let server = TestServer::start(db);
    append_entries(&server, 3);
    let o = plauder(&server, &["audit", "prune"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("no audit entries older than 730 days"),
        "{out}"
    );
    let o = plauder(&server, &["audit", "prune", "--days", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = plauder(&server, &["audit", "head"]);
    let head = audit::head(&mut server.conn()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("{}:{}", head.seq, head.mac_hex())
    );
});

/// Collects what a subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_head_goes_to_the_system_log() {
    let server = TestServer::start(Db::Sqlite);
    append_entries(&server, 3);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let head = tracing::subscriber::with_default(subscriber, || {
        audit::log_head(&mut server.conn()).unwrap()
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(head.seq, 3);
    assert!(
        text.contains("audit log head") && text.contains("seq=3"),
        "{text}"
    );
    assert!(text.contains(&head.mac_hex()), "{text}");
}
