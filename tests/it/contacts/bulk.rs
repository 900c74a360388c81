//! Bulk erasure of selected conversations: the confirmation says what goes; one id outside
//! the actor's scope (or missing) answers 404 for the whole request and deletes nothing;
//! no CSRF token, nothing deleted; otherwise every selected conversation goes with a
//! journal row and an audit entry each, and the contacts stay.

use super::{audit_of, fixture, person, team_eraser};
use crate::both_backends;
use crate::support::scan::row_counts;
use diesel::prelude::*;
use plauder::db::schema::erasure_journal;

both_backends!(bulk_erasure_is_all_or_nothing, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_a1, a1, anna) = person(s, &f.widget_a, "Anna", "anna@example.de", &["eins", "zwei"]);
    let (_a2, a2, _) = person(s, &f.widget_a, "Carl", "carl@example.de", &["drei"]);
    let (_b, b, _) = person(s, &f.widget_b, "Bert", "bert@example.de", &["vier"]);
    let mut eraser = team_eraser(s, "tina");
    let before = row_counts(s);

    let empty = eraser.get("/console/conversations/delete");
    assert_eq!(empty.status, 200);
    let missing = eraser.get(&format!("/console/conversations/delete?id={a1}&id=4242"));
    assert_eq!(missing.status, 404);
    let outside = eraser.get(&format!("/console/conversations/delete?id={a1}&id={b}"));
    assert_eq!(
        (outside.status, outside.body.as_str()),
        (404, missing.body.as_str())
    );
    assert_eq!(eraser.get("/console/conversations/delete?id=x").status, 400);

    let confirm = eraser.get(&format!("/console/conversations/delete?id={a1}&id={a2}"));
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm
            .body
            .contains("<dd id=\"count-conversations\">2</dd>")
    );
    assert!(confirm.body.contains("<dd id=\"count-messages\">3</dd>"));
    assert!(
        confirm
            .body
            .contains(&format!("name=\"id\" value=\"{a2}\""))
    );
    assert!(
        !confirm.body.contains("Anna"),
        "no personal data on the confirmation"
    );
    let csrf = confirm.csrf();

    // One id outside the scope: 404 for all, nothing deleted.
    let (sa1, sa2, sb) = (a1.to_string(), a2.to_string(), b.to_string());
    let r = eraser.post(
        "/console/conversations/delete",
        &[("csrf", &csrf), ("id", &sa1), ("id", &sb)],
    );
    assert_eq!((r.status, r.body.as_str()), (404, missing.body.as_str()));
    assert_eq!(row_counts(s), before);
    // No CSRF token: refused, nothing deleted.
    let r = eraser.post(
        "/console/conversations/delete",
        &[("id", &sa1), ("id", &sa2)],
    );
    assert_eq!(r.status, 403);
    assert_eq!(row_counts(s), before);
    // An operator has no deletions at all.
    let mut op = crate::contacts::staff_of(s, "op", plauder::db::roles::Builtin::Operator);
    assert_eq!(
        op.get(&format!("/console/conversations/delete?id={a1}"))
            .status,
        403
    );

    let r = eraser.post(
        "/console/conversations/delete",
        &[("csrf", &csrf), ("id", &sa1), ("id", &sa2)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"erased\""));
    let after = row_counts(s);
    assert_eq!(after["conversations"], before["conversations"] - 2);
    assert_eq!(after["messages"], before["messages"] - 3);
    assert_eq!(after["consents"], before["consents"] - 2);
    assert_eq!(after["contacts"], before["contacts"], "contacts stay");
    let journal: Vec<(i64, Option<i64>, String)> = erasure_journal::table
        .select((
            erasure_journal::conversation_id,
            erasure_journal::contact_id,
            erasure_journal::action,
        ))
        .order(erasure_journal::conversation_id.asc())
        .load(&mut *s.conn())
        .unwrap();
    let mut expected = vec![
        (a1, None, "staff_erase".to_string()),
        (a2, None, "staff_erase".to_string()),
    ];
    expected.sort();
    assert_eq!(journal, expected);
    for id in [a1, a2] {
        assert_eq!(
            audit_of(s, "conversation_deleted", "conversation", id).len(),
            1
        );
    }
    assert!(audit_of(s, "conversation_deleted", "conversation", b).is_empty());
    // Anna stays as a contact without conversations: only a scope of "all" sees her now.
    assert_eq!(eraser.get(&format!("/console/contacts/{anna}")).status, 404);
    assert_eq!(
        s.admin().get(&format!("/console/contacts/{anna}")).status,
        200
    );
});
