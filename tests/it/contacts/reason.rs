//! The reason a role demands before personal data outside the actor's own scope opens
//! (issue 7), on a contact's page and a person's JSON package: the data-protection officer
//! (whose built-in role has the flag) is asked and the form reads nothing; with a reason
//! the data shows and its audit entry carries the reason; an admin (flag off) is not asked.

use super::{audit_of, fixture, person, staff_of};
use crate::both_backends;
use plauder::db::roles::Builtin;

both_backends!(a_dpo_gives_a_reason_before_a_contact_opens, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_ws, _conversation, contact) = person(
        s,
        &f.widget_a,
        "Grund Person",
        "grund@example.de",
        &["Grund-Marker-8812"],
    );
    let path = format!("/console/contacts/{contact}");

    // The data-protection officer handled none of the contact's conversations: asked.
    let mut dpo = staff_of(s, "dora", Builtin::Dpo);
    let form = dpo.get(&path);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"reason\""), "{}", form.body);
    assert!(form.body.contains(&format!("action=\"{path}\"")));
    assert!(
        !form.body.contains("grund@example.de"),
        "the form reads nothing"
    );
    assert!(!form.body.contains("Grund Person"));
    assert!(audit_of(s, "contact_viewed", "contact", contact).is_empty());
    let csrf = form.csrf();
    for bad in ["", "  \n ", &"x".repeat(501)] {
        let r = dpo.post(&path, &[("csrf", &csrf), ("reason", bad)]);
        assert_eq!(r.status, 400, "{bad:?}");
        assert!(r.body.contains("id=\"reason-error\""));
        assert!(!r.body.contains("grund@example.de"));
    }
    let r = dpo.post(&path, &[("reason", "Auskunft")]);
    assert_eq!(r.status, 403, "without CSRF");
    assert!(audit_of(s, "contact_viewed", "contact", contact).is_empty());
    let page = dpo.post(
        &path,
        &[
            ("csrf", &csrf),
            ("reason", "Auskunftsersuchen\r\nArt. 15 vom 3. März"),
        ],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("grund@example.de"));
    assert!(page.body.contains("Grund Person"));
    assert_eq!(
        audit_of(s, "contact_viewed", "contact", contact),
        [(
            "ok".to_string(),
            None,
            Some("Auskunftsersuchen Art. 15 vom 3. März".to_string())
        )]
    );
    // A missing contact answers 404, reason or not.
    let missing = dpo.post(
        "/console/contacts/4242",
        &[("csrf", &csrf), ("reason", "Auskunft")],
    );
    assert_eq!(missing.status, 404);

    // The person's package: the same question, then the download with the reason in
    // every entry of the export.
    let export = format!("/console/contacts/{contact}/export.json");
    let form = dpo.get(&export);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"reason\""), "{}", form.body);
    assert!(!form.body.contains("Grund-Marker-8812"));
    assert!(audit_of(s, "exported", "contact", contact).is_empty());
    let package = dpo.post(
        &export,
        &[("csrf", &csrf), ("reason", "Art. 20 Übertragung")],
    );
    assert_eq!(package.status, 200, "{}", package.body);
    assert_eq!(
        package.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(package.body.contains("Grund-Marker-8812"));
    assert_eq!(
        audit_of(s, "exported", "contact", contact),
        [(
            "ok".to_string(),
            None,
            Some("Art. 20 Übertragung".to_string())
        )]
    );

    // An admin's role has no such flag: not asked, and the entry has no reason.
    let mut admin = s.admin();
    let page = admin.get(&path);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("name=\"reason\""));
    assert!(page.body.contains("grund@example.de"));
    let viewed = audit_of(s, "contact_viewed", "contact", contact);
    assert_eq!(viewed.len(), 2);
    assert_eq!(viewed[1], ("ok".to_string(), None, None));
    let package = admin.get(&export);
    assert_eq!(package.status, 200);
    assert!(package.body.contains("Grund-Marker-8812"));
    crate::audit::intact(s);
});
