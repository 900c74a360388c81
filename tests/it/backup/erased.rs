//! A person erased after a backup stays erased when that backup is restored: the erasure
//! journal replays from the restored table, from the archive's copy of the journal file and
//! from the journal file beside the database, so it holds even when only the backup, the
//! newer journal file and the key ring are left (an empty data dir, a new database).

use super::{Target, copy_private, counts, create, out, wait_journal_lines};
use crate::both_backends;
use crate::contacts::{fixture, person};
use diesel::prelude::*;
use plauder::db::schema::{contacts, conversations, erasure_journal};

fn exists(db: &plauder::db::Db, contact: i64, conv: i64) -> (bool, bool) {
    let mut conn = db.conn().unwrap();
    let c: i64 = contacts::table
        .filter(contacts::id.eq(contact))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let v: i64 = conversations::table
        .filter(conversations::id.eq(conv))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    (c == 1, v == 1)
}

both_backends!(
    erased_after_the_backup_is_erased_again_after_restore,
    |db| {
        let f = fixture(db);
        let s = &f.server;
        let (_z, zora_conv, zora) = person(
            s,
            &f.widget_a,
            "Zora Weg",
            "zora@example.de",
            &["Bitte löschen"],
        );
        let (_o, otto_conv, otto) =
            person(s, &f.widget_a, "Otto Bleibt", "otto@example.de", &["Hallo"]);
        let file = create(s);

        // Erased after the backup, by staff (contact and conversation).
        let mut admin = s.admin();
        let confirm = admin.get(&format!("/console/contacts/{zora}/erase"));
        let r = admin.post(
            &format!("/console/contacts/{zora}/erase"),
            &[("csrf", &confirm.csrf())],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let journal = wait_journal_lines(&s.data_dir(), 1);
        assert!(journal.contains(&format!(" {zora_conv} ")), "{journal}");
        assert!(
            !journal.contains("Zora") && !journal.contains("zora@"),
            "ids only: {journal}"
        );
        use std::os::unix::fs::PermissionsExt;
        let journal_path = s.data_dir().join("erasure-journal.log");
        assert_eq!(
            std::fs::metadata(&journal_path)
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );

        // Only the backup, the newer journal file and the key ring survive.
        let target = Target::new(db).with_ring_of(s);
        copy_private(&journal_path, &target.data().join("erasure-journal.log"));
        let kept = target.dir.path().join(file.file_name().unwrap());
        std::fs::copy(&file, &kept).unwrap();
        // Before the restore, the backup itself still holds Zora (the probe works).
        let probe = Target::new(db).with_ring_of(s);
        let p = probe.run(&["backup", "restore", kept.to_str().unwrap()]);
        assert!(p.status.success(), "{}", out(&p));
        assert_eq!(
            exists(&probe.db(), zora, zora_conv),
            (true, true),
            "the backup holds Zora"
        );
        drop(probe);

        let r = target.run(&["backup", "restore", kept.to_str().unwrap()]);
        let text = out(&r);
        assert!(r.status.success(), "{text}");
        assert!(
            text.contains("erased again: 1 conversation(s), 1 contact(s)"),
            "{text}"
        );
        let restored = target.db();
        assert_eq!(
            exists(&restored, zora, zora_conv),
            (false, false),
            "Zora stays erased"
        );
        assert_eq!(
            exists(&restored, otto, otto_conv),
            (true, true),
            "Otto stays"
        );
        let rows: i64 = erasure_journal::table
            .count()
            .get_result(&mut *restored.conn().unwrap())
            .unwrap();
        assert_eq!(rows, 1, "the journal row is back in the table");
        // The restored database matches the live one (same rows), except what the server
        // itself wrote since (audit entries of the erasure and its data-subject links).
        let live = counts(&s.state.db);
        let back = counts(&restored);
        for table in [
            "contacts",
            "conversations",
            "messages",
            "consents",
            "erasure_journal",
        ] {
            assert_eq!(back[table], live[table], "{table}");
        }
    }
);

fn restore_into(
    s: &crate::support::TestServer,
    db: crate::support::Db,
    file: &std::path::Path,
) -> Target {
    let target = Target::new(db).with_ring_of(s);
    copy_private(
        &s.data_dir().join("erasure-journal.log"),
        &target.data().join("erasure-journal.log"),
    );
    let r = target.run(&["backup", "restore", file.to_str().unwrap()]);
    assert!(r.status.success(), "{}", out(&r));
    target
}

both_backends!(
    a_contact_merged_after_the_backup_does_not_come_back_and_its_conversations_stay,
    |db| {
        let f = fixture(db);
        let s = &f.server;
        let (_m, mia_conv, mia) = person(s, &f.widget_a, "Mia", "mia@example.de", &["A"]);
        let (_x, max_conv, max) = person(s, &f.widget_a, "Mia M.", "mia.m@example.de", &["B"]);
        let file = create(s);

        let mut admin = s.admin();
        let path = format!("/console/contacts/{mia}/merge");
        let confirm = admin.get(&format!("{path}?email=mia.m%40example.de"));
        let r = admin.post(
            &path,
            &[("csrf", &confirm.csrf()), ("other", &max.to_string())],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let journal = wait_journal_lines(&s.data_dir(), 1);
        assert!(journal.contains(&format!(" {max} merged ")), "{journal}");

        // The merge alone: the merged-away contact stays gone, no conversation is lost.
        let merged = restore_into(s, db, &file);
        let back = merged.db();
        assert_eq!(
            exists(&back, max, max_conv),
            (false, true),
            "Max's row gone, his chat kept"
        );
        assert_eq!(exists(&back, mia, mia_conv), (true, true), "Mia untouched");
        drop(merged);

        // Then the merged person is erased: nothing of either contact comes back.
        let confirm = admin.get(&format!("/console/contacts/{mia}/erase"));
        let r = admin.post(
            &format!("/console/contacts/{mia}/erase"),
            &[("csrf", &confirm.csrf())],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        wait_journal_lines(&s.data_dir(), 3);
        let erased = restore_into(s, db, &file);
        let back = erased.db();
        assert_eq!(
            exists(&back, mia, mia_conv),
            (false, false),
            "Mia erased again"
        );
        assert_eq!(
            exists(&back, max, max_conv),
            (false, false),
            "and her merged contact"
        );
    }
);
