//! Tampering with rows directly in the database shows in `plauder audit verify`, which
//! names the first broken entry and exits non-zero; appends from 8 threads make one chain.

use super::{append_entries, drop_guard, intact, rows, sql};
use crate::both_backends;
use crate::cli::plauder;
use crate::support::{Db, TestServer};
use diesel::connection::SimpleConnection;

/// Runs `plauder audit verify`; (success, stdout + stderr).
fn verify(server: &TestServer, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let o = plauder(server, &args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}

fn assert_broken_at(server: &TestServer, seq: i64, what: &str, extra: &[&str]) {
    let (ok, text) = verify(server, extra);
    assert!(!ok, "{what}: verify passed: {text}");
    assert!(
        text.contains(&format!("BROKEN at entry {seq}:")),
        "{what}: first broken entry {seq} not named: {text}"
    );
}

fn assert_intact(server: &TestServer, entries: u64) {
    let (ok, text) = verify(server, &[]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("intact: {entries} entries")),
        "{text}"
    );
}

both_backends!(
    tampering_shows_and_names_the_first_broken_entry,
    |db: Db| {
        let server = TestServer::start(db);
        append_entries(&server, 10);
        assert_eq!(intact(&server), (10, 10));
        assert_intact(&server, 10);

        // The program's own guard: stored entries cannot be updated.
        let refused = server
            .conn()
            .batch_execute("UPDATE audit_log SET outcome = 'denied' WHERE seq = 4");
        assert!(refused.is_err(), "append-only trigger refuses an update");
        drop_guard(&server, db);

        // Edited.
        sql(
            &server,
            "UPDATE audit_log SET outcome = 'denied' WHERE seq = 4",
        );
        assert_broken_at(&server, 4, "edit", &[]);
        sql(&server, "UPDATE audit_log SET outcome = 'ok' WHERE seq = 4");
        assert_intact(&server, 10);
        sql(&server, "UPDATE audit_log SET actor_id = 99 WHERE seq = 7");
        assert_broken_at(&server, 7, "edit of the actor", &[]);
        sql(
            &server,
            "UPDATE audit_log SET actor_id = NULL WHERE seq = 7",
        );

        // Deleted.
        let saved = rows(&server).into_iter().find(|r| r.seq == 6).unwrap();
        sql(&server, "DELETE FROM audit_log WHERE seq = 6");
        assert_broken_at(&server, 6, "delete", &[]);
        plauder::db::audit::insert(&mut server.conn(), &saved).unwrap();
        assert_intact(&server, 10);

        // Reordered: entries 3 and 5 swap places.
        sql(
            &server,
            "UPDATE audit_log SET seq = -3 WHERE seq = 3; \
         UPDATE audit_log SET seq = 3 WHERE seq = 5; \
         UPDATE audit_log SET seq = 5 WHERE seq = -3",
        );
        assert_broken_at(&server, 3, "reorder", &[]);
        sql(
            &server,
            "UPDATE audit_log SET seq = -3 WHERE seq = 3; \
         UPDATE audit_log SET seq = 3 WHERE seq = 5; \
         UPDATE audit_log SET seq = 5 WHERE seq = -3",
        );
        assert_intact(&server, 10);

        // Forged: a valid entry replayed as a new one, at the end and before the start.
        let copy = |seq: i64, from: i64| {
            format!(
                "INSERT INTO audit_log (seq, at, actor, actor_id, action, object_type, object_id, \
             outcome, reason, mac) SELECT {seq}, at, actor, actor_id, action, object_type, \
             object_id, outcome, reason, mac FROM audit_log WHERE seq = {from}"
            )
        };
        sql(&server, &copy(11, 10));
        assert_broken_at(&server, 11, "forged at the end", &[]);
        sql(&server, "DELETE FROM audit_log WHERE seq = 11");
        sql(&server, &copy(0, 1));
        assert_broken_at(&server, 0, "forged before the start", &[]);
        sql(&server, "DELETE FROM audit_log WHERE seq = 0");
        assert_intact(&server, 10);

        // Cut off: the tail goes with its entries. Only the head logged earlier shows it.
        let head = plauder::audit::head(&mut server.conn()).unwrap();
        let logged = format!("{}:{}", head.seq, head.mac_hex());
        assert_intact(&server, 10);
        let (ok, text) = verify(&server, &["--expect-head", &logged]);
        assert!(ok, "{text}");
        sql(&server, "DELETE FROM audit_log WHERE seq >= 9");
        assert_intact(&server, 8);
        assert_broken_at(&server, 10, "tail cut off", &["--expect-head", &logged]);
        let (ok, text) = verify(&server, &["--expect-head", "10:zz"]);
        assert!(!ok && text.contains("--expect-head"), "{text}");
    }
);

both_backends!(eight_threads_append_one_gapless_chain, |db: Db| {
    let server = TestServer::start(db);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| append_entries(&server, 40));
        }
    });
    assert_eq!(intact(&server), (320, 320));
    let seqs: Vec<i64> = rows(&server).iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=320).collect::<Vec<_>>());
    assert_intact(&server, 320);
});

both_backends!(entries_are_written_only_inside_a_transaction, |db: Db| {
    let server = TestServer::start(db);
    let entry = plauder::audit::Entry::new(
        plauder::clock::Clock::naive(server.clock.as_ref()),
        plauder::audit::Actor::System,
        plauder::audit::Action::JobRun,
        plauder::audit::Object::none(),
    );
    let mut conn = server.conn();
    assert!(plauder::audit::record(&mut conn, &server.state.ring, &entry).is_err());
    let long = entry.clone().reason("x".repeat(501));
    assert!(plauder::audit::append(&mut conn, &server.state.ring, &long).is_err());
    assert!(plauder::audit::append(&mut conn, &server.state.ring, &entry.reason("DSR 42")).is_ok());
    assert_eq!(intact(&server), (1, 1));
});
