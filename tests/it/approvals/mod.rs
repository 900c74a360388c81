//! Four-eyes approval (issue 8): an export by a role that demands approval, and a bulk
//! deletion above the threshold, wait (202, nothing exported or deleted) until a second
//! authorised person approves; the requester cannot approve their own; the requester alone
//! runs it, once; an expired request is refused; every step is in the audit log.

mod shots;

use crate::access::{Who, World, login, world};
use crate::both_backends;
use crate::support::client::Client;
use plauder::clock::Clock as _;
use plauder::db::approvals::{self, ApprovalId};
use plauder::db::roles::Builtin;

/// The audit entries about approvals and exports/deletions after `seq`:
/// (action, object type, outcome).
fn entries_since(w: &World, seq: i64) -> Vec<(String, String, String)> {
    plauder::db::audit::after(&mut w.server.conn(), seq, 100_000)
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.action.starts_with("approval")
                || r.action == "exported"
                || r.action == "conversation_deleted"
                || r.action == "role_changed"
                || r.action == "settings_changed"
        })
        .map(|r| (r.action, r.object_type, r.outcome))
        .collect()
}

fn head(w: &World) -> i64 {
    plauder::audit::head(&mut w.server.conn()).unwrap().seq
}

fn entry(action: &str, object: &str, outcome: &str) -> (String, String, String) {
    (action.into(), object.into(), outcome.into())
}

/// The newest request `who` made.
fn newest_of(w: &World, who: Who) -> approvals::Approval {
    let now = w.server.clock.now().naive_utc();
    approvals::visible(&mut w.server.conn(), w.id(who.user()), 10, now)
        .unwrap()
        .into_iter()
        .find(|a| a.requester == w.id(who.user()))
        .expect("a stored request")
}

fn decide(client: &mut Client, id: ApprovalId, decision: &str) -> crate::support::client::Response {
    let csrf = client.get("/console/approvals").csrf();
    client.post(
        &format!("/console/approvals/{}", id.0),
        &[("csrf", &csrf), ("decision", decision)],
    )
}

both_backends!(an_export_waits_for_a_second_person, |db| {
    let w = world(db);
    let [a_free, a_admin, ..] = w.convs;
    let mut admin = login(&w, Who::Admin);
    // The supervisor's role demands approval (set on the role's page, audited).
    let seq = head(&w);
    let csrf = admin
        .get(&format!("/admin/roles/{}", Builtin::Supervisor.id().0))
        .csrf();
    let r = admin.post(
        &format!("/admin/roles/{}/four-eyes", Builtin::Supervisor.id().0),
        &[("csrf", &csrf), ("required", "on")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let role_page = admin.get(&format!("/admin/roles/{}", Builtin::Supervisor.id().0));
    assert!(
        role_page
            .body
            .contains("id=\"four-eyes-required\" aria-describedby=\"four-eyes-hint\" checked")
    );
    assert_eq!(
        entries_since(&w, seq),
        [entry("role_changed", "role", "ok")]
    );

    // The export is not run: the waiting page, no file, no `exported` entry.
    let mut sup = login(&w, Who::Supervisor);
    let url = format!(
        "/console/conversations/export?format=csv&id={}&id={}",
        a_free.id.0, a_admin.id.0
    );
    let seq = head(&w);
    let waiting = sup.get(&url);
    assert_eq!(waiting.status, 202, "{}", waiting.body);
    assert!(
        waiting
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(waiting.header("content-disposition").is_none());
    assert!(waiting.body.contains("id=\"waiting\""));
    assert!(waiting.body.contains("id=\"waiting-count\">2<"));
    assert!(!waiting.body.contains("Erika Mustermann"));
    assert_eq!(
        entries_since(&w, seq),
        [entry("approval_requested", "approval", "ok")]
    );
    let request = newest_of(&w, Who::Supervisor);
    assert_eq!(request.conversations, 2);

    // Not before it is approved; not by the requester; not by a role without exports.
    let seq = head(&w);
    let early = decide(&mut sup, request.id, "run");
    assert_eq!(early.status, 400, "{}", early.body);
    let own = decide(&mut sup, request.id, "approve");
    assert_eq!(own.status, 403, "{}", own.body);
    let op = decide(&mut login(&w, Who::Operator), request.id, "approve");
    assert_eq!(op.status, 404, "an operator cannot see it: {}", op.body);
    assert!(
        !login(&w, Who::Operator)
            .get("/console/approvals")
            .body
            .contains(&format!("request-{}", request.id.0))
    );
    assert_eq!(
        entries_since(&w, seq),
        [
            entry("approval_used", "approval", "denied"),
            entry("approval_given", "approval", "denied"),
            entry("approval_given", "approval", "not_found"),
        ]
    );

    // The admin sees it and approves; then the supervisor runs it, once.
    let list = admin.get("/console/approvals");
    assert!(
        list.body
            .contains(&format!("id=\"request-{}\"", request.id.0))
    );
    let seq = head(&w);
    let ok = decide(&mut admin, request.id, "approve");
    assert_eq!(ok.status, 303, "{}", ok.body);
    let mine = sup.get("/console/approvals");
    assert!(mine.body.contains("value=\"run\""), "{}", mine.body);
    let file = decide(&mut sup, request.id, "run");
    assert_eq!(file.status, 200, "{}", file.body);
    assert!(file.header("content-disposition").unwrap().contains(".csv"));
    assert!(file.body.contains(&a_free.id.0.to_string()));
    assert!(file.body.contains(&a_admin.id.0.to_string()));
    let replay = decide(&mut sup, request.id, "run");
    assert_eq!(replay.status, 400, "a used approval does not run twice");
    assert_eq!(
        entries_since(&w, seq),
        [
            entry("approval_given", "approval", "ok"),
            entry("approval_used", "approval", "ok"),
            entry("exported", "none", "ok"),
            entry("exported", "conversation", "ok"),
            entry("exported", "conversation", "ok"),
            entry("approval_used", "approval", "denied"),
        ]
    );
    // The parameters are gone once used.
    let used = approvals::by_id(&mut w.server.conn(), request.id)
        .unwrap()
        .unwrap();
    assert_eq!(approvals::params(&w.server.state.ring, &used).unwrap(), "");
});

both_backends!(a_bulk_delete_above_the_threshold_waits_and_expires, |db| {
    let w = world(db);
    let [a_free, a_admin, ..] = w.convs;
    let mut admin = login(&w, Who::Admin);
    let csrf = admin.get("/admin/settings").csrf();
    let bad = admin.post(
        "/admin/settings/approvals",
        &[("csrf", &csrf), ("threshold", "-1"), ("expiry_hours", "24")],
    );
    assert_eq!(bad.status, 400);
    let r = admin.post(
        "/admin/settings/approvals",
        &[("csrf", &csrf), ("threshold", "1"), ("expiry_hours", "2")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.get("/admin/settings").body.contains("name=\"threshold\" type=\"number\" min=\"0\" max=\"1000000\" inputmode=\"numeric\" value=\"1\""));

    let exists = |id| {
        plauder::db::conversations::by_id(&mut w.server.conn(), id)
            .unwrap()
            .is_some()
    };
    let mut dpo = login(&w, Who::Dpo);
    let delete = |client: &mut Client| {
        let csrf = client.get("/console/approvals").csrf();
        let (a, b) = (a_free.id.0.to_string(), a_admin.id.0.to_string());
        client.post(
            "/console/conversations/delete",
            &[("csrf", &csrf), ("id", &a), ("id", &b)],
        )
    };
    // Two conversations, threshold one: it waits and nothing goes.
    let waiting = delete(&mut dpo);
    assert_eq!(waiting.status, 202, "{}", waiting.body);
    assert!(exists(a_free.id) && exists(a_admin.id));
    let first = newest_of(&w, Who::Dpo);
    assert_eq!(first.kind, approvals::Kind::Delete);

    // Approved, but run after it expired: refused, nothing deleted.
    assert_eq!(decide(&mut admin, first.id, "approve").status, 303);
    w.server.clock.advance(chrono::TimeDelta::hours(3));
    // Sessions time out when idle: sign in again after the clock moved.
    let mut dpo = login(&w, Who::Dpo);
    let late = decide(&mut dpo, first.id, "run");
    assert_eq!(late.status, 400, "{}", late.body);
    assert!(late.body.contains("expired"));
    assert!(exists(a_free.id) && exists(a_admin.id));
    // An expired request cannot be approved either, and its parameters are gone.
    let second_wait = delete(&mut dpo);
    assert_eq!(second_wait.status, 202);
    let second = newest_of(&w, Who::Dpo);
    w.server.clock.advance(chrono::TimeDelta::hours(3));
    let (mut admin, mut dpo) = (login(&w, Who::Admin), login(&w, Who::Dpo));
    let expired = decide(&mut admin, second.id, "approve");
    assert_eq!(expired.status, 400, "{}", expired.body);
    dpo.get("/console/approvals");
    let gone = approvals::by_id(&mut w.server.conn(), second.id)
        .unwrap()
        .unwrap();
    assert_eq!(approvals::params(&w.server.state.ring, &gone).unwrap(), "");

    // A refused request never runs.
    assert_eq!(delete(&mut dpo).status, 202);
    let refused = newest_of(&w, Who::Dpo);
    assert_eq!(decide(&mut admin, refused.id, "refuse").status, 303);
    assert_eq!(decide(&mut dpo, refused.id, "run").status, 400);
    assert!(exists(a_free.id) && exists(a_admin.id));

    // A fresh request, approved in time: deleted once; the replay deletes nothing more.
    assert_eq!(delete(&mut dpo).status, 202);
    let third = newest_of(&w, Who::Dpo);
    let seq = head(&w);
    assert_eq!(decide(&mut admin, third.id, "approve").status, 303);
    let done = decide(&mut dpo, third.id, "run");
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("id=\"erased\""));
    assert!(!exists(a_free.id) && !exists(a_admin.id));
    assert_eq!(decide(&mut dpo, third.id, "run").status, 400);
    assert_eq!(
        entries_since(&w, seq),
        [
            entry("approval_given", "approval", "ok"),
            entry("approval_used", "approval", "ok"),
            entry("conversation_deleted", "conversation", "ok"),
            entry("conversation_deleted", "conversation", "ok"),
            entry("approval_used", "approval", "denied"),
        ]
    );
});

both_backends!(a_person_package_and_a_contact_erasure_wait_too, |db| {
    let w = world(db);
    let s = &w.server;
    let widget = plauder::db::widgets::by_public_id(&mut s.conn(), &w.widget_a)
        .unwrap()
        .unwrap()
        .id;
    let email = Some("erika.vier@example.de");
    let one = crate::export::chat(s, widget, Some("Erika Vier"), email, None, &[]);
    crate::export::chat(s, widget, Some("Erika Vier"), email, None, &[]);
    let contact = plauder::db::conversations::by_id(&mut s.conn(), one)
        .unwrap()
        .unwrap()
        .contact
        .unwrap();
    let dpo_role = Builtin::Dpo.id();
    let now = s.clock.now().naive_utc();
    assert!(approvals::set_role_required(&mut s.conn(), dpo_role, true, now).unwrap());

    // The package, with the reason the DPO's role demands: stored, not handed over.
    let mut dpo = login(&w, Who::Dpo);
    let path = format!("/console/contacts/{}/export.json", contact.0);
    let csrf = dpo.get(&path).csrf();
    let seq = head(&w);
    let waiting = dpo.post(&path, &[("csrf", &csrf), ("reason", "Auskunft Art. 15")]);
    assert_eq!(waiting.status, 202, "{}", waiting.body);
    assert!(!waiting.body.contains("erika.vier@example.de"));
    assert_eq!(
        entries_since(&w, seq),
        [entry("approval_requested", "approval", "ok")]
    );
    let package = newest_of(&w, Who::Dpo);
    assert_eq!(package.kind, approvals::Kind::ExportPerson);
    assert_eq!(package.conversations, 2);
    let mut admin = login(&w, Who::Admin);
    assert_eq!(decide(&mut admin, package.id, "approve").status, 303);
    let file = decide(&mut dpo, package.id, "run");
    assert_eq!(file.status, 200, "{}", file.body);
    assert!(file.body.contains("plauder.person-export"));
    assert!(file.body.contains("erika.vier@example.de"));

    // The contact's erasure counts as a deletion of its conversations: it waits too.
    let csrf = dpo
        .get(&format!("/console/contacts/{}/erase", contact.0))
        .csrf();
    let erase = dpo.post(
        &format!("/console/contacts/{}/erase", contact.0),
        &[("csrf", &csrf)],
    );
    assert_eq!(erase.status, 202, "{}", erase.body);
    assert!(plauder::db::contact_edit::exists(&mut s.conn(), contact).unwrap());
    let erasure = newest_of(&w, Who::Dpo);
    assert_eq!(erasure.kind, approvals::Kind::EraseContact);
    assert_eq!(decide(&mut admin, erasure.id, "approve").status, 303);
    let done = decide(&mut dpo, erasure.id, "run");
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(!plauder::db::contact_edit::exists(&mut s.conn(), contact).unwrap());
    assert!(
        plauder::db::conversations::by_id(&mut s.conn(), one)
            .unwrap()
            .is_none()
    );
});
