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

both_backends!(the_pages_before_a_change_ask_the_same_reason, |db| {
    let f = fixture(db);
    let s = &f.server;
    let (_a, _c, contact) = person(
        s,
        &f.widget_a,
        "Wechsel Person",
        "wechsel@example.de",
        &["A"],
    );
    let (_b, _d, other) = person(s, &f.widget_a, "Doppel Person", "doppel@example.de", &["B"]);
    let mut dpo = staff_of(s, "dora", Builtin::Dpo);
    let base = format!("/console/contacts/{contact}");
    for (page, query) in [
        ("edit", ""),
        ("erase", ""),
        ("merge", "?email=doppel%40example.de"),
    ] {
        let path = format!("{base}/{page}{query}");
        let open = format!("{base}/{page}/open{query}");
        let before = audit_of(s, "contact_viewed", "contact", contact).len();
        let form = dpo.get(&path);
        assert_eq!(form.status, 200, "{page}: {}", form.body);
        // The form posts to `/open`: the page's own POST is the change itself.
        assert!(
            form.body
                .contains(&format!("action=\"{}\"", open.replace('&', "&amp;"))),
            "{page}: {}",
            form.body
        );
        assert!(
            !form.body.contains("wechsel@example.de"),
            "{page}: the form reads nothing"
        );
        let viewed = || audit_of(s, "contact_viewed", "contact", contact);
        assert_eq!(viewed().len(), before, "{page}: nothing read");
        let csrf = form.csrf();
        let refused = dpo.post(&open, &[("csrf", &csrf), ("reason", " ")]);
        assert_eq!(refused.status, 400, "{page}");
        assert!(!refused.body.contains("wechsel@example.de"), "{page}");
        let reason = format!("Berichtigung {page}");
        let shown = dpo.post(&open, &[("csrf", &csrf), ("reason", &reason)]);
        assert_eq!(shown.status, 200, "{page}: {}", shown.body);
        assert!(shown.body.contains("wechsel@example.de"), "{page}");
        let entry = ("ok".to_string(), None, Some(reason.clone()));
        assert_eq!(viewed().len(), before + 1, "{page}: one read");
        assert_eq!(viewed().last(), Some(&entry), "{page}: with the reason");
        if page == "merge" {
            assert!(shown.body.contains("doppel@example.de"));
            assert_eq!(audit_of(s, "contact_viewed", "contact", other), [entry]);
        }
    }
    // Opened with a reason, the contact page carries it on to its edit and erase pages.
    let csrf = dpo.get(&base).csrf();
    let page = dpo.post(
        &base,
        &[("csrf", &csrf), ("reason", "Art. 16 Berichtigung")],
    );
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("action=\"{base}/edit/open\"")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("name=\"reason\" value=\"Art. 16 Berichtigung\"")
    );
    let edit = dpo.post(
        &format!("{base}/edit/open"),
        &[("csrf", &csrf), ("reason", "Art. 16 Berichtigung")],
    );
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("wechsel@example.de"));
    let viewed = audit_of(s, "contact_viewed", "contact", contact);
    assert_eq!(
        viewed.last().unwrap().2.as_deref(),
        Some("Art. 16 Berichtigung")
    );

    // The admin's role has no flag: the pages show at once.
    let mut admin = s.admin();
    let page = admin.get(&format!("{base}/edit"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("wechsel@example.de"));
});
