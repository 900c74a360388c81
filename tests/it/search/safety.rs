//! Bad input gives a normal page with nothing found; the index holds no plaintext; every
//! result page is one audited read.

use super::{conversation, found, ids_on, query, search_entries, set, widget};
use crate::both_backends;
use crate::support::scan;
use diesel::prelude::*;

/// Search texts that must find nothing and break nothing.
fn bad_inputs() -> Vec<String> {
    vec![
        "' OR 1=1 --".into(),
        "\" OR \"\"=\"".into(),
        "%".into(),
        "_".into(),
        "%@%".into(),
        "a%".into(),
        "*".into(),
        "x".repeat(10_000),
        "\u{202E}nnA\u{202C}".into(),
        "\u{200F}\u{200F}".into(),
        "A\u{0301}\u{0301}\u{0301}nna".into(),
        "\u{0}".into(),
        "anna\u{0}schmidt".into(),
        "\u{FEFF}".into(),
        "🙂🙂".into(),
        "\\".into(),
        "'; DROP TABLE conversations; --".into(),
    ]
}

both_backends!(bad_input_is_a_normal_page_without_results, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let anna = conversation(&server, w, Some("Anna Schmidt"), Some("anna@example.de"));
    let mut admin = server.admin();
    // The probe works: the person is found by a good query.
    assert_eq!(found(&mut admin, &[("q", "anna")]), set(&[anna]));
    for q in bad_inputs() {
        for field in ["auto", "email", "phone", "customer", "name"] {
            let path = format!(
                "/console/conversations?{}",
                query(&[("q", &q), ("field", field)])
            );
            let r = admin.get(&path);
            let shown: String = q.chars().take(20).collect();
            assert_eq!(r.status, 200, "{field} {shown:?}: {}", r.body);
            assert!(
                ids_on(&r.body).is_empty(),
                "{field} {shown:?} found something"
            );
            assert!(r.body.contains("id=\"no-results\""), "{field} {shown:?}");
            let r = admin.get(&path.replace("/console/conversations", "/console/contacts"));
            assert_eq!(r.status, 200, "contacts {field} {shown:?}");
            assert!(
                !r.body.contains("/console/contacts/"),
                "contacts {field} {shown:?}"
            );
        }
    }
    // Over the cap: said on the page, not searched.
    let long = format!("anna{}", " ".repeat(300));
    let r = admin.get(&format!(
        "/console/conversations?{}",
        query(&[("q", &"a".repeat(201))])
    ));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"search-notice\""));
    // Trailing blanks are trimmed before the cap: still a search for "anna".
    assert_eq!(found(&mut admin, &[("q", &long)]), set(&[anna]));
    // The data is all still there.
    assert_eq!(found(&mut admin, &[]), set(&[anna]));
});

both_backends!(the_index_holds_no_plaintext, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    let c = conversation(
        &server,
        w,
        Some("Quirinus Zwetschgenbaum"),
        Some("Quirinus.Zwetschge@Beispiel-Markierung.de"),
    );
    let contact = plauder::db::conversations::by_id(&mut server.conn(), c)
        .unwrap()
        .unwrap()
        .contact
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    plauder::db::contacts::set_phone_and_customer_id(
        &mut server.conn(),
        &server.state.ring,
        contact,
        Some("0171 9876543"),
        Some("KUNDE-MARKIERUNG-77"),
        now,
    )
    .unwrap();
    // A plaintext marker planted the honest way (tags are stored as typed): the probe finds it.
    plauder::db::tags::add(&mut server.conn(), c, "gepflanzte-markierung")
        .unwrap()
        .unwrap();
    let bytes = scan::database_bytes(&server, db);
    assert!(
        scan::anywhere(&bytes, "gepflanzte-markierung"),
        "the probe finds a marker"
    );
    // The index exists and holds only 32-byte MACs …
    #[derive(QueryableByName)]
    struct Entry {
        #[diesel(sql_type = diesel::sql_types::Text)]
        kind: String,
        #[diesel(sql_type = diesel::sql_types::Binary)]
        blind: Vec<u8>,
    }
    let entries: Vec<Entry> = diesel::sql_query("SELECT kind, blind FROM person_index")
        .load(&mut *server.conn())
        .unwrap();
    let kinds: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["customer", "email", "name", "phone"].into());
    assert!(entries.iter().all(|e| e.blind.len() == 32));
    // … and no value, raw or normalised, is anywhere in the database's bytes.
    for needle in [
        "Quirinus",
        "quirinus",
        "zwetschgenbaum",
        "Zwetschgenbaum",
        "quirinus.zwetschge@beispiel-markierung.de",
        "Beispiel-Markierung",
        "+491719876543",
        "491719876543",
        "9876543",
        "KUNDE-MARKIERUNG-77",
    ] {
        assert!(!scan::anywhere(&bytes, needle), "{needle} in the database");
    }
    // Yet the search finds the person by each of them.
    let mut admin = server.admin();
    for (q, field) in [
        ("zwetschgenbaum", "name"),
        ("QUIRINUS.ZWETSCHGE@beispiel-markierung.de", "email"),
        ("+49 171 9876543", "phone"),
        ("KUNDE-MARKIERUNG-77", "customer"),
    ] {
        assert_eq!(
            found(&mut admin, &[("q", q), ("field", field)]),
            set(&[c]),
            "{q}"
        );
    }
});

both_backends!(every_result_page_is_one_audited_read, |db| {
    let server = crate::support::TestServer::start(db);
    let w = widget(&server, "Shop");
    conversation(&server, w, Some("Anna Schmidt"), Some("anna@example.de"));
    let mut admin = server.admin();
    let long = "x".repeat(10_000);
    for path in [
        "/console/conversations".to_string(),
        "/console/conversations?q=anna".to_string(),
        format!("/console/conversations?{}", query(&[("q", &long)])),
        "/console/contacts".to_string(),
        "/console/contacts?q=anna%40example.de".to_string(),
    ] {
        let before = search_entries(&server);
        let r = admin.get(&path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(search_entries(&server), before + 1, "{path}");
    }
    let rows = crate::audit::rows(&server);
    let last = rows
        .iter()
        .rev()
        .find(|r| r.action == "search_viewed")
        .unwrap();
    assert_eq!(last.object_type, "none");
    assert_eq!(last.object_id, None);
    crate::audit::intact(&server);
    // No entry, no page: with the log refusing entries, the page is not shown.
    let before = search_entries(&server);
    crate::audit::sql(
        &server,
        match db {
            crate::support::Db::Sqlite => {
                "CREATE TRIGGER audit_block BEFORE INSERT ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'blocked'); END;"
            }
            crate::support::Db::Postgres => {
                "CREATE FUNCTION audit_block() RETURNS trigger AS $$ BEGIN \
                 RAISE EXCEPTION 'blocked'; END; $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER audit_block BEFORE INSERT ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_block();"
            }
        },
    );
    let r = admin.get("/console/conversations?q=anna");
    assert_eq!(r.status, 500);
    assert!(!r.body.contains("anna@example.de"));
    assert_eq!(search_entries(&server), before);
});
