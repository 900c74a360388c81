//! Erasing a contact: the confirmation counts what goes; the erasure takes every row of the
//! contact and their conversations, the index entries, and on SQLite the bytes out of the
//! main file and the WAL (the probe first finds them); on PostgreSQL the rows and entries
//! are gone and the docs say what remains until when. The journal holds ids only.

use super::{audit_of, fixture, person, team_eraser};
use crate::both_backends;
use crate::self_service::identify;
use crate::support::scan::{database_bytes, row_counts};
use crate::support::{Db, TestServer};
use diesel::prelude::*;
use plauder::db::schema::{contacts, conversations, erasure_journal, messages, person_index};

/// Every stored byte string that belongs to the contact and its conversations: the
/// ciphertexts of messages, names and addresses, and the blind-index values.
fn planted(server: &TestServer, contact: i64, convs: &[i64]) -> Vec<Vec<u8>> {
    let mut conn = server.conn();
    let mut out: Vec<Vec<u8>> = messages::table
        .filter(messages::conversation_id.eq_any(convs))
        .select(messages::body_enc)
        .load(&mut *conn)
        .unwrap();
    let (email, name): (Vec<u8>, Option<Vec<u8>>) = contacts::table
        .find(contact)
        .select((contacts::email_enc, contacts::name_enc))
        .first(&mut *conn)
        .unwrap();
    out.push(email);
    out.extend(name);
    type Typed = (Option<Vec<u8>>, Option<Vec<u8>>);
    let typed: Vec<Typed> = conversations::table
        .filter(conversations::id.eq_any(convs))
        .select((
            conversations::visitor_name_enc,
            conversations::visitor_email_enc,
        ))
        .load(&mut *conn)
        .unwrap();
    for (n, e) in typed {
        out.extend(n);
        out.extend(e);
    }
    let blinds: Vec<Vec<u8>> = person_index::table
        .filter(
            person_index::contact_id
                .eq(contact)
                .or(person_index::conversation_id.eq_any(convs)),
        )
        .select(person_index::blind)
        .load(&mut *conn)
        .unwrap();
    assert!(blinds.len() >= 4, "name words and addresses are indexed");
    out.extend(blinds);
    out
}

fn on_disk(all: &[Vec<u8>], needle: &[u8]) -> bool {
    all.iter()
        .any(|b| b.windows(needle.len()).any(|w| w == needle))
}

fn index_entries(server: &TestServer, contact: i64, convs: &[i64]) -> i64 {
    person_index::table
        .filter(
            person_index::contact_id
                .eq(contact)
                .or(person_index::conversation_id.eq_any(convs)),
        )
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

both_backends!(erasing_a_contact_leaves_nothing_but_the_journal, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_z1, first, zora) = person(
        s,
        &f.widget_a,
        "Zora Tilgemarkerin",
        "zora.tilgemarker@example.de",
        &["Tilgenachricht eins", "zwei"],
    );
    let (mut z2, _, second) =
        crate::self_service::chatting(s, &f.widget_a, &["Tilgenachricht drei"]);
    identify(&mut z2, "Zora Tilgemarkerin", "Zora.Tilgemarker@example.de");
    let convs = [first, second];
    assert_eq!(
        crate::contacts::contact_of(s, second),
        zora,
        "one contact, two conversations"
    );
    let (_o, other_conv, other) = person(s, &f.widget_a, "Otto", "otto@example.de", &["Otto"]);

    let stored = planted(s, zora, &convs);
    if db == Db::Sqlite {
        // The probe finds every value before the erasure, in the WAL or the main file.
        let before = database_bytes(s, db);
        for v in &stored {
            assert!(on_disk(&before, v), "the probe finds a stored value");
        }
    }
    let mut admin = s.admin();
    let confirm = admin.get(&format!("/console/contacts/{zora}/erase"));
    let before = row_counts(s);
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains("<dd id=\"count-conversations\">2</dd>")
    );
    assert!(confirm.body.contains("<dd id=\"count-messages\">3</dd>"));
    assert!(confirm.body.contains("<dd id=\"count-consents\">2</dd>"));
    let path = format!("/console/contacts/{zora}/erase");
    // Without the CSRF token: refused, nothing deleted.
    assert_eq!(admin.post(&path, &[]).status, 403);
    assert_eq!(row_counts(s), before);

    let r = admin.post(&path, &[("csrf", &confirm.csrf())]);
    assert_eq!(r.status, 303, "{}", r.body);
    let after = row_counts(s);
    assert_eq!(after["contacts"], before["contacts"] - 1);
    assert_eq!(after["conversations"], before["conversations"] - 2);
    assert_eq!(after["messages"], before["messages"] - 3);
    assert_eq!(after["consents"], before["consents"] - 2);
    assert_eq!(after["erasure_journal"], before["erasure_journal"] + 2);
    // One entry for the contact, one per conversation; nothing else changed.
    assert_eq!(after["audit_log"], before["audit_log"] + 3);
    assert_eq!(index_entries(s, zora, &convs), 0, "no index entry left");
    assert!(index_entries(s, other, &[other_conv]) > 0, "Otto's stay");
    assert_eq!(admin.get(&format!("/console/contacts/{zora}")).status, 404);

    // The journal: one row per conversation, ids and time only.
    let journal: Vec<(i64, i64, Option<i64>, String)> = erasure_journal::table
        .select((
            erasure_journal::conversation_id,
            erasure_journal::widget_id,
            erasure_journal::contact_id,
            erasure_journal::action,
        ))
        .order(erasure_journal::conversation_id.asc())
        .load(&mut *s.conn())
        .unwrap();
    assert_eq!(journal.len(), 2);
    for (row, conv) in journal.iter().zip(convs) {
        assert_eq!(
            (row.0, row.2, row.3.as_str()),
            (conv, Some(zora), "staff_erase")
        );
        assert!(row.1 > 0);
    }
    assert_eq!(audit_of(s, "contact_deleted", "contact", zora).len(), 1);
    for conv in convs {
        assert_eq!(
            audit_of(s, "conversation_deleted", "conversation", conv).len(),
            1
        );
    }

    let all = database_bytes(s, db);
    // Markers no other test writes: on PostgreSQL the scan reads the WAL of the whole
    // cluster, which tests running at the same time share.
    for marker in ["Tilgemarkerin", "zora.tilgemarker", "Tilgenachricht"] {
        assert!(
            !crate::support::scan::anywhere(&all, marker),
            "{marker} in plain text"
        );
    }
    match db {
        Db::Sqlite => {
            // The erasure's own checkpoint took the WAL's copies; secure_delete the file's.
            for v in &stored {
                assert!(!on_disk(&all, v), "an erased value is still on disk");
            }
        }
        Db::Postgres => {
            // Rows and entries are gone above; the bytes stay in pages and WAL until VACUUM
            // and segment rotation, as the IT docs say.
            for doc in ["docs/it.md", "docs/it.de.md"] {
                let text = std::fs::read_to_string(doc).unwrap();
                for claim in ["VACUUM FULL", "pg_wal", "pg_switch_wal()", "secure_delete"] {
                    assert!(text.contains(claim), "{doc} explains {claim}");
                }
            }
        }
    }
});

both_backends!(erasure_outside_the_scope_deletes_nothing, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_b, _, in_b) = person(s, &f.widget_b, "Bert", "bert@example.de", &["B"]);
    let (_a, _, in_a) = person(s, &f.widget_a, "Anna", "anna@example.de", &["A"]);
    let mut eraser = team_eraser(s, "tina");
    let before = row_counts(s);
    let missing = eraser.get("/console/contacts/4242/erase");
    assert_eq!(missing.status, 404);
    let hidden = eraser.get(&format!("/console/contacts/{in_b}/erase"));
    assert_eq!(
        (hidden.status, hidden.body.as_str()),
        (404, missing.body.as_str())
    );
    let csrf = eraser
        .get(&format!("/console/contacts/{in_a}/erase"))
        .csrf();
    let r = eraser.post(
        &format!("/console/contacts/{in_b}/erase"),
        &[("csrf", &csrf)],
    );
    assert_eq!((r.status, r.body.as_str()), (404, missing.body.as_str()));
    let after = row_counts(s);
    assert_eq!(after["contacts"], before["contacts"]);
    assert_eq!(after["conversations"], before["conversations"]);
    assert_eq!(after["erasure_journal"], before["erasure_journal"]);
    // Within the team it works.
    let ok = eraser.post(
        &format!("/console/contacts/{in_a}/erase"),
        &[("csrf", &csrf)],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(row_counts(s)["contacts"], before["contacts"] - 1);
});
