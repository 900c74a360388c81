//! What had already expired when a backup is restored is gone before any server serves
//! the restored database: `backup restore` runs the retention jobs' own purge (expiry and
//! technical details, `jobs::purge_expired`) with the real time, on both backends.

use super::{Target, create, out};
use crate::both_backends;
use crate::contacts::{fixture, person};
use diesel::prelude::*;
use plauder::db::schema::{contacts, conversations, messages};

/// Whether the conversation, its messages and its contact are there.
fn present(db: &plauder::db::Db, conv: i64, contact: i64) -> (bool, bool, bool) {
    let mut conn = db.conn().unwrap();
    let c: i64 = conversations::table
        .filter(conversations::id.eq(conv))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let m: i64 = messages::table
        .filter(messages::conversation_id.eq(conv))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let k: i64 = contacts::table
        .filter(contacts::id.eq(contact))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    (c == 1, m > 0, k == 1)
}

both_backends!(a_restore_purges_what_has_already_expired, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_a, old_conv, old_contact) = person(
        s,
        &f.widget_a,
        "Alt Abgelaufen",
        "alt@example.de",
        &["Alt-Marker-3141"],
    );
    let (_b, new_conv, new_contact) =
        person(s, &f.widget_a, "Neu Bleibt", "neu@example.de", &["Hallo"]);
    // The widget keeps conversations 12 months (the default); this one was last active
    // 400 days ago (written directly: the restore uses the real time).
    let long_ago = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(400);
    diesel::update(conversations::table.find(old_conv))
        .set(conversations::updated_at.eq(long_ago))
        .execute(&mut *s.conn())
        .unwrap();
    let file = create(s);
    // The probe finds it where it still is: in the live database the backup was taken of.
    assert_eq!(
        present(&s.state.db, old_conv, old_contact),
        (true, true, true)
    );

    let target = Target::new(db).with_ring_of(s);
    let r = target.run(&["backup", "restore", file.to_str().unwrap()]);
    let text = out(&r);
    assert!(r.status.success(), "{text}");
    assert!(text.contains("expired data purged: "), "{text}");
    assert!(text.contains("conversations=1"), "{text}");
    let restored = target.db();
    assert_eq!(
        present(&restored, old_conv, old_contact),
        (false, false, false),
        "past its retention: gone with its messages and its contact"
    );
    assert_eq!(
        present(&restored, new_conv, new_contact),
        (true, true, true),
        "within its retention: kept"
    );
    // The purge is journalled like the job's, so a later restore removes it again, and
    // recorded in the audit log with counts only.
    let mut conn = restored.conn().unwrap();
    let journalled: i64 = plauder::db::schema::erasure_journal::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(journalled, 1, "{text}");
    let reasons: Vec<Option<String>> = plauder::db::schema::audit_log::table
        .filter(plauder::db::schema::audit_log::action.eq("job_run"))
        .select(plauder::db::schema::audit_log::reason)
        .load(&mut *conn)
        .unwrap();
    assert!(
        reasons
            .iter()
            .flatten()
            .any(|r| r.starts_with("expiry after restore: ") && r.contains("conversations=1")),
        "{reasons:?}"
    );
});
