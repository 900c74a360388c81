//! create → verify → restore gives the same data: row counts of every table, and a message
//! decrypted from the restored database. The file holds no plaintext: the probe first finds
//! a plaintext marker (a widget name) in the live database, then not in the backup.

use super::{Target, counts, create, out};
use crate::both_backends;
use crate::contacts::{fixture, person};
use crate::support::Db;
use crate::support::scan::{anywhere, database_bytes};
use plauder::crypto::KeyRing;
use plauder::db::conversations::ConversationId;

const PLAIN: &str = "PlainWidgetMarker4711";
const SECRET: &str = "Geheime Backupnachricht 0815";

both_backends!(create_verify_restore_round_trip, |db| {
    let f = fixture(db);
    let s = &f.server;
    crate::access::widget_in(s, PLAIN, plauder::db::teams::DEFAULT_TEAM);
    let (_zora, conv, _) = person(s, &f.widget_a, "Zora Rund", "zora@example.de", &[SECRET]);
    let _otto = person(s, &f.widget_b, "Otto", "otto@example.de", &["Hallo"]);
    let live = database_bytes(s, db);
    assert!(
        anywhere(&live, PLAIN),
        "the probe finds the plaintext marker"
    );
    let before = counts(&s.state.db);
    assert!(
        before["messages"] >= 2 && before["contacts"] == 2,
        "{before:?}"
    );

    // While a visitor keeps chatting, the snapshot is consistent.
    let file = create(s);
    let _late = person(
        s,
        &f.widget_a,
        "Spät",
        "spaet@example.de",
        &["nach der Sicherung"],
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"PLAUDBAK"));
    for marker in [PLAIN, SECRET, "Zora", "zora@example.de", "CREATE TABLE"] {
        assert!(
            !anywhere(std::slice::from_ref(&bytes), marker),
            "{marker} in the backup"
        );
    }

    let v = crate::cli::plauder(s, &["backup", "verify", file.to_str().unwrap()]);
    let text = out(&v);
    assert!(v.status.success(), "{text}");
    assert!(text.contains("is intact"), "{text}");
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some("messages"))
        .unwrap_or_else(|| panic!("verify prints counts per table: {text}"));
    assert_eq!(
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<i64>()
            .unwrap(),
        before["messages"],
        "{text}"
    );

    // Into an empty data dir (another database on PostgreSQL) with only the key ring.
    let target = Target::new(db).with_ring_of(s);
    let r = target.run(&["backup", "restore", file.to_str().unwrap()]);
    assert!(r.status.success(), "{}", out(&r));
    let restored_db = target.db();
    assert_eq!(
        counts(&restored_db),
        before,
        "identical rows after the restore"
    );
    let ring = KeyRing::load(&target.data().join("keyring.toml")).unwrap();
    let messages = plauder::db::messages::after(
        &mut restored_db.conn().unwrap(),
        &ring,
        ConversationId(conv),
        0,
        true,
        10,
    )
    .unwrap();
    assert_eq!(
        messages[0].text, SECRET,
        "the message decrypts after the restore"
    );
    if db == Db::Sqlite {
        let data = target.data();
        assert!(data.join("plauder.db").exists());
        let wal = data.join("plauder.db-wal");
        assert!(!wal.exists() || std::fs::metadata(wal).unwrap().len() == 0);
    }
});
