//! `/admin/audit` for the roles that may read the audit log: filters, keyset pages, the
//! chain state, an object's history and a CSV export that is itself audited.

use super::{append_entries, drop_guard, rows, sql};
use crate::both_backends;
use crate::support::{Db, GOOD_PASSWORD, TestServer, add_staff};
use plauder::audit::{self, Action, Entry, Object, ObjectKind};
use plauder::clock::Clock as _;
use plauder::db::staff::Role;

fn entries_of(server: &TestServer, action: &str) -> Vec<plauder::db::audit::Row> {
    rows(server)
        .into_iter()
        .filter(|r| r.action == action)
        .collect()
}

/// Numbers in the page's first table column ("No."), in order.
fn seqs(body: &str) -> Vec<i64> {
    let marker = "data-label=\"";
    body.split("<tr>")
        .skip(2)
        .filter_map(|row| {
            let start = row.find(marker)?;
            let rest = &row[start..];
            let value = rest.split('>').nth(1)?.split('<').next()?;
            value.trim().parse().ok()
        })
        .collect()
}

both_backends!(audit_page_filters_pages_and_shows_the_chain, |db: Db| {
    let server = TestServer::start(db);
    let dpo = add_staff(&server, "dora", Role::Dpo, None);
    add_staff(&server, "olga", Role::Operator, None);
    add_staff(&server, "aud", Role::Auditor, None);
    append_entries(&server, 120);
    // An entry about one conversation, by dora, with a reason that looks like a formula.
    let conversation = 987_654_321;
    let about = Entry::new(
        server.clock.naive(),
        dpo,
        Action::ConversationViewed,
        Object::new(ObjectKind::Conversation, Some(conversation)),
    )
    .reason("=HYPERLINK(\"http://evil\")");
    audit::append(&mut server.conn(), &server.state.ring, &about).unwrap();

    // Operators may not read it; auditors and data-protection officers may.
    let mut olga = server.login("olga", GOOD_PASSWORD);
    assert_eq!(olga.get("/admin/audit").status, 403);
    assert_eq!(olga.get("/admin/audit/export.csv").status, 403);
    let mut aud = server.login("aud", GOOD_PASSWORD);
    assert_eq!(aud.get("/admin/audit").status, 200);
    let mut dora = server.login("dora", GOOD_PASSWORD);

    let first = dora.get("/admin/audit");
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("id=\"chain-state\""), "{}", first.body);
    assert!(
        first.body.contains("class=\"notice\""),
        "intact: {}",
        first.body
    );
    let page1 = seqs(&first.body);
    assert_eq!(page1.len(), 50, "{page1:?}");
    assert!(
        page1.windows(2).all(|w| w[0] > w[1]),
        "newest first: {page1:?}"
    );
    // The view itself is the newest entry, written before the read.
    let viewed = entries_of(&server, "audit_viewed");
    assert!(viewed.iter().any(|r| r.actor_id == Some(dpo.0)));
    assert!(page1[0] >= 122);
    let older = page1.last().unwrap();
    let next = dora.get(&format!("/admin/audit?before={older}"));
    let page2 = seqs(&next.body);
    assert_eq!(page2.first(), Some(&(older - 1)), "keyset: continues below");
    assert_eq!(page2.len(), 50);

    // Filters: by action and by actor, and an object's history.
    let jobs = dora.get("/admin/audit?action=job_run");
    assert!(seqs(&jobs.body).iter().all(|s| *s <= 120));
    assert!(jobs.body.contains("before="), "more pages of job runs");
    let by_dora = dora.get(&format!("/admin/audit?actor=staff:{}", dpo.0));
    assert!(by_dora.body.contains("dora"));
    assert!(!seqs(&by_dora.body).iter().any(|s| *s <= 120));
    let history = dora.get(&format!(
        "/admin/audit?object_type=conversation&object_id={conversation}"
    ));
    // The entry about it, and (newest) this look at its history, written before the read.
    let found = seqs(&history.body);
    assert_eq!((found.len(), found.get(1)), (2, Some(&121)), "{found:?}");
    let looked: Vec<_> = entries_of(&server, "audit_viewed")
        .into_iter()
        .filter(|r| r.object_id == Some(conversation))
        .collect();
    assert_eq!(looked.len(), 1, "who looked at who looked is recorded too");
    // Time: nothing before the year 2000, everything until far ahead.
    let none = dora.get("/admin/audit?to=1999-12-31");
    assert!(seqs(&none.body).is_empty());
    let all = dora.get("/admin/audit?from=2000-01-01&to=2999-12-31");
    assert_eq!(seqs(&all.body).len(), 50);

    // Bad input: 400 naming the field, nothing read.
    for (query, field) in [
        ("object_id=abc", "object_id"),
        ("action=drop_table", "action"),
        ("from=31.12.2026", "from"),
        ("actor=root", "actor"),
        ("before=0", "before"),
    ] {
        let r = dora.get(&format!("/admin/audit?{query}"));
        assert_eq!(r.status, 400, "{query}");
        assert!(r.body.contains(field), "{query}: {}", r.body);
    }

    // CSV export of a filtered view: quoted, formulas neutralised, itself audited.
    let csv = dora.get(&format!(
        "/admin/audit/export.csv?object_type=conversation&object_id={conversation}"
    ));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with("\"seq\",\"time_utc\",\"actor\""),
        "{}",
        lines[0]
    );
    // The export itself (written before the read), the history view, the entry.
    assert_eq!(lines.len(), 4, "{}", csv.body);
    assert!(lines[1].contains("\"audit_exported\""), "{}", lines[1]);
    assert!(
        lines[3].contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{}",
        lines[3]
    );
    assert!(lines[3].contains("\"dora\""));
    let exported = entries_of(&server, "audit_exported");
    assert_eq!(exported.len(), 1);
    assert_eq!(
        (exported[0].actor_id, exported[0].object_id),
        (Some(dpo.0), Some(conversation))
    );

    // A broken chain shows on the page with the first broken entry.
    drop_guard(&server, db);
    sql(
        &server,
        "UPDATE audit_log SET outcome = 'failed' WHERE seq = 7",
    );
    let broken = dora.get("/admin/audit");
    assert!(broken.body.contains("class=\"error\""), "{}", broken.body);
    assert!(
        broken.body.contains("bei Eintrag 7:") || broken.body.contains("at entry 7:"),
        "{}",
        broken.body
    );
});
