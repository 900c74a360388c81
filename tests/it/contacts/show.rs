//! The contact's page: everything stored, its conversations with consents, an audited
//! read; outside the reader's scope the answer is the one for a missing contact.

use super::{audit_of, fixture, person, staff_of};
use crate::both_backends;
use plauder::clock::Clock as _;
use plauder::db::contacts::{self, ContactId};
use plauder::db::roles::Builtin;

both_backends!(contact_page_shows_everything_and_is_audited, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_ws, conversation, contact) = person(
        s,
        &f.widget_a,
        "Erika Musterfrau",
        "erika@example.de",
        &["Hallo"],
    );
    let now = s.clock.naive();
    assert!(
        contacts::set_phone_and_customer_id(
            &mut s.conn(),
            &s.state.ring,
            ContactId(contact),
            Some("+49 30 123456"),
            Some("K-4711"),
            now,
        )
        .unwrap()
    );
    let path = format!("/console/contacts/{contact}");
    let page = s.admin().get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    for shown in [
        "Erika Musterfrau",
        "erika@example.de",
        "+49 30 123456",
        "K-4711",
        &format!("/console/conversations/{conversation}"),
        &format!("/admin/audit?object_type=contact&amp;object_id={contact}"),
    ] {
        assert!(page.body.contains(shown), "{shown} on the page");
    }
    // The consent the visitor gave, with its notice version.
    assert!(page.body.contains("class=\"consent\""), "the consent line");
    assert!(
        page.body
            .contains(&format!("/console/contacts/{contact}/erase"))
    );
    let viewed = audit_of(s, "contact_viewed", "contact", contact);
    assert_eq!(viewed.len(), 1);
    assert_eq!(viewed[0].0, "ok");
    // The same entry is what the audit page's object filter shows.
    let history = s.admin().get(&format!(
        "/admin/audit?object_type=contact&object_id={contact}"
    ));
    assert_eq!(history.status, 200);
    assert!(history.body.contains("<td data-label"), "entries listed");
    assert_eq!(audit_of(s, "audit_viewed", "contact", contact).len(), 1);
});

both_backends!(outside_the_scope_is_the_404_of_a_missing_contact, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_a, _, in_a) = person(s, &f.widget_a, "Anna A", "anna@example.de", &["A"]);
    let (_b, _, in_b) = person(s, &f.widget_b, "Bert B", "bert@example.de", &["B"]);
    let mut op = staff_of(s, "op", Builtin::Operator);
    assert_eq!(op.get(&format!("/console/contacts/{in_a}")).status, 200);
    let missing = op.get("/console/contacts/4242");
    assert_eq!(missing.status, 404);
    let hidden = op.get(&format!("/console/contacts/{in_b}"));
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.body, missing.body);
    assert_eq!(
        hidden.header("content-type"),
        missing.header("content-type")
    );
    assert!(!hidden.body.contains("Bert"));
    // The refused read is logged as such, and nothing about Bert was decrypted for it.
    let refused = audit_of(s, "contact_viewed", "contact", in_b);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, "not_found");
    // Operators may not edit contacts at all; the auditor has no contacts area.
    assert_eq!(
        op.get(&format!("/console/contacts/{in_b}/edit")).status,
        403
    );
    let mut aud = staff_of(s, "aud", Builtin::Auditor);
    assert_eq!(aud.get(&format!("/console/contacts/{in_a}")).status, 403);
});
