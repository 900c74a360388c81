//! Merging: the confirmation shows both contacts, the merge moves the other's conversations
//! to the kept contact, fills its empty fields, deletes the other with its index entries
//! and leaves an entry on both.

use super::{audit_of, fixture, person};
use crate::both_backends;
use diesel::prelude::*;
use plauder::clock::Clock as _;
use plauder::db::contacts::{self, ContactId};
use plauder::db::schema::{contacts as contact_rows, conversations, person_index};

both_backends!(merge_moves_conversations_and_fills_empty_fields, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_a, anna_conv, anna) = person(s, &f.widget_a, "Anna", "anna@example.de", &["A"]);
    let (_b, bert_conv, bert) = person(s, &f.widget_a, "Anna B.", "anna.b@example.de", &["B"]);
    let now = s.clock.naive();
    assert!(
        contacts::set_phone_and_customer_id(
            &mut s.conn(),
            &s.state.ring,
            ContactId(bert),
            Some("0170 1234567"),
            None,
            now,
        )
        .unwrap()
    );
    let mut admin = s.admin();
    let ask = admin.get(&format!("/console/contacts/{anna}/merge"));
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("name=\"email\""));
    let none = admin.get(&format!(
        "/console/contacts/{anna}/merge?email=niemand%40example.de"
    ));
    assert_eq!(none.status, 404);
    assert!(none.body.contains("id=\"merge-error\""));
    let confirm = admin.get(&format!(
        "/console/contacts/{anna}/merge?email=ANNA.B%40example.de"
    ));
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("anna@example.de") && confirm.body.contains("anna.b@example.de"));
    assert!(
        confirm
            .body
            .contains(&format!("name=\"other\" value=\"{bert}\""))
    );
    // Showing both is a read of both.
    assert_eq!(audit_of(s, "contact_viewed", "contact", bert).len(), 1);

    // Without the CSRF token nothing happens.
    let path = format!("/console/contacts/{anna}/merge");
    let forged = admin.post(&path, &[("other", &bert.to_string())]);
    assert_eq!(forged.status, 403);
    let csrf = confirm.csrf();
    let r = admin.post(&path, &[("csrf", &csrf), ("other", &bert.to_string())]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.location()
            .ends_with(&format!("/console/contacts/{anna}?done=merged"))
    );

    let owner = |id: i64| -> Option<i64> {
        conversations::table
            .find(id)
            .select(conversations::contact_id)
            .first(&mut *s.conn())
            .unwrap()
    };
    assert_eq!(owner(anna_conv), Some(anna));
    assert_eq!(owner(bert_conv), Some(anna), "Bert's conversation moved");
    let left: i64 = contact_rows::table
        .filter(contact_rows::id.eq(bert))
        .count()
        .get_result(&mut *s.conn())
        .unwrap();
    assert_eq!(left, 0, "the merged contact is gone");
    let entries: i64 = person_index::table
        .filter(person_index::contact_id.eq(bert))
        .count()
        .get_result(&mut *s.conn())
        .unwrap();
    assert_eq!(entries, 0, "and its index entries");
    let kept = contacts::fields(&mut s.conn(), &s.state.ring, ContactId(anna))
        .unwrap()
        .unwrap();
    assert_eq!(kept.email, "anna@example.de");
    assert_eq!(
        kept.name.as_deref(),
        Some("Anna"),
        "a stored name is not replaced"
    );
    assert_eq!(
        kept.phone.as_deref(),
        Some("0170 1234567"),
        "an empty field is filled"
    );
    let page = admin.get(&format!("/console/contacts/{anna}"));
    assert!(
        page.body
            .contains(&format!("/console/conversations/{bert_conv}"))
    );

    let on_kept = audit_of(s, "contact_merged", "contact", anna);
    assert_eq!(on_kept.len(), 1);
    assert_eq!(on_kept[0].1.as_deref(), Some("phone,conversations"));
    assert_eq!(audit_of(s, "contact_merged", "contact", bert).len(), 1);
    // The merged contact answers like any missing one now.
    assert_eq!(admin.get(&format!("/console/contacts/{bert}")).status, 404);
});
