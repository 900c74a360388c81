//! Rectification: values change, the index follows (the new address is found, the old one
//! not), the audit entry names the changed fields and never a value; bad input is refused
//! field by field; an address of another contact offers a merge; no CSRF, no change.

use super::{audit_of, fixture, person};
use crate::both_backends;
use crate::support::TestServer;
use diesel::prelude::*;
use plauder::db::person_index::{self, Kind};
use plauder::db::schema::{audit_log, person_index as index};

/// Contacts whose index has this value of this kind.
fn found(server: &TestServer, kind: Kind, raw: &str) -> Vec<i64> {
    let blinds = person_index::blinds(&server.state.ring, kind, raw);
    assert!(!blinds.is_empty(), "{raw} is indexable");
    index::table
        .filter(index::kind.eq(kind.as_str()))
        .filter(index::blind.eq_any(blinds))
        .filter(index::contact_id.is_not_null())
        .select(index::contact_id)
        .load::<Option<i64>>(&mut *server.conn())
        .unwrap()
        .into_iter()
        .flatten()
        .collect()
}

both_backends!(rectification_changes_values_index_and_names_fields, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_ws, _, contact) = person(s, &f.widget_a, "Erika Alt", "alt@example.de", &["Hallo"]);
    assert_eq!(
        found(s, Kind::Email, "alt@example.de"),
        vec![contact],
        "the probe finds it"
    );
    let mut admin = s.admin();
    let path = format!("/console/contacts/{contact}/edit");
    let form = admin.get(&path);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"alt@example.de\""));
    let csrf = form.csrf();

    // Bad input: every bad field is named, nothing changes.
    let bad = admin.post(
        &path,
        &[
            ("csrf", &csrf),
            ("email", "kein-at-zeichen"),
            ("name", "Erika"),
            ("phone", "abc"),
            ("customer_id", ""),
        ],
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("id=\"email-error\"") && bad.body.contains("id=\"phone-error\""));
    assert!(!bad.body.contains("id=\"name-error\""));
    assert_eq!(found(s, Kind::Email, "alt@example.de"), vec![contact]);

    // Without the CSRF token: refused, nothing changes.
    let forged = admin.post(&path, &[("email", "neu@example.de"), ("name", "X")]);
    assert_eq!(forged.status, 403);
    assert!(found(s, Kind::Email, "neu@example.de").is_empty());

    let r = admin.post(
        &path,
        &[
            ("csrf", &csrf),
            ("email", " Neu@Example.de "),
            ("name", "Erika Alt"),
            ("phone", "030 123456"),
            ("customer_id", "K-1"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get(&format!("/console/contacts/{contact}"));
    assert!(page.body.contains("Neu@Example.de") && page.body.contains("030 123456"));
    // Search: the new address and phone find the contact, the old address no longer.
    assert_eq!(found(s, Kind::Email, "neu@example.de"), vec![contact]);
    assert_eq!(found(s, Kind::Phone, "+4930123456"), vec![contact]);
    assert_eq!(found(s, Kind::Customer, "K-1"), vec![contact]);
    assert!(found(s, Kind::Email, "alt@example.de").is_empty());
    // Identity recognition's own index follows too.
    let by_address =
        plauder::db::contact_edit::by_email(&mut s.conn(), &s.state.ring, "neu@example.de")
            .unwrap();
    assert_eq!(by_address.map(|c| c.0), Some(contact));

    // The entry names the fields, not their values.
    let changed = audit_of(s, "contact_changed", "contact", contact);
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].1.as_deref(), Some("email,phone,customer_id"));
    assert_eq!(changed[0].2, None, "no reason was typed");
    let all: Vec<(Option<String>, Option<String>)> = audit_log::table
        .select((audit_log::reason, audit_log::detail))
        .load(&mut *s.conn())
        .unwrap();
    let text = format!("{all:?}");
    for value in ["alt@", "neu@", "Neu@", "123456", "K-1"] {
        assert!(!text.contains(value), "{value} in the audit log");
    }
    assert!(matches!(
        crate::audit::state(s),
        plauder::audit::ChainState::Intact { .. }
    ));

    // Saving the same values again changes nothing and writes nothing.
    let same = admin.post(
        &path,
        &[
            ("csrf", &csrf),
            ("email", "Neu@Example.de"),
            ("name", "Erika Alt"),
            ("phone", "030 123456"),
            ("customer_id", "K-1"),
        ],
    );
    assert_eq!(same.status, 303);
    assert!(same.location().ends_with("done=unchanged"));
    assert_eq!(audit_of(s, "contact_changed", "contact", contact).len(), 1);
});

both_backends!(an_address_of_another_contact_offers_a_merge, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_a, _, anna) = person(s, &f.widget_a, "Anna", "anna@example.de", &["A"]);
    let (_b, _, bert) = person(s, &f.widget_a, "Bert", "bert@example.de", &["B"]);
    let mut admin = s.admin();
    let path = format!("/console/contacts/{anna}/edit");
    let csrf = admin.get(&path).csrf();
    let r = admin.post(
        &path,
        &[
            ("csrf", &csrf),
            ("email", "BERT@example.de"),
            ("name", "Anna"),
        ],
    );
    assert_eq!(r.status, 409);
    let offer = format!("/console/contacts/{bert}/merge?other={anna}");
    assert!(r.body.contains(&offer), "{}", r.body);
    assert_eq!(
        found(s, Kind::Email, "anna@example.de"),
        vec![anna],
        "unchanged"
    );
    assert!(audit_of(s, "contact_changed", "contact", anna).is_empty());
});
