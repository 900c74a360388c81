//! One person's JSON package: valid against docs/export-schema.json (boon, JSON Schema
//! 2020-12 with format assertions), holding that contact's conversations and nothing
//! else; complete or refused; audited.

use super::{audit_head, chat, exported_since, fetch};
use crate::access::{Who, login, world};
use crate::both_backends;
use plauder::db::messages::Sender;
use serde_json::Value;

fn contact_of(
    server: &crate::support::TestServer,
    id: plauder::db::conversations::ConversationId,
) -> i64 {
    plauder::db::conversations::by_id(&mut server.conn(), id)
        .unwrap()
        .unwrap()
        .contact
        .unwrap()
        .0
}

/// The data-protection officer's package: their role demands a reason before data outside
/// their own scope (issue 7), so the plain GET shows the reason form (and no data), whose
/// POST with a reason is the download.
fn with_reason(
    s: &crate::support::TestServer,
    client: &mut crate::support::client::Client,
    path: &str,
) -> super::Download {
    let form = fetch(s, client, path);
    assert_eq!(form.status, 200, "{}", form.text());
    let form = form.text();
    assert!(form.contains("name=\"reason\""), "{form}");
    assert!(
        !form.contains("\"conversations\""),
        "the form holds no data"
    );
    let csrf = client.get(path).csrf();
    let r = client.post(
        path,
        &[("csrf", &csrf), ("reason", "Auskunft nach Art. 15")],
    );
    super::Download {
        status: r.status,
        headers: r.headers,
        body: r.body.into_bytes(),
    }
}

fn validate(package: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/export-schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource("export-schema.json", schema).unwrap();
    let index = compiler
        .compile("export-schema.json", &mut schemas)
        .unwrap();
    if let Err(e) = schemas.validate(package, index) {
        panic!("the package does not match the schema: {e:#}");
    }
    // The validator is shown to refuse what the schema forbids.
    let mut broken = package.clone();
    broken["contact"]["phone"] = Value::from("+49 30 1234567");
    assert!(
        schemas.validate(&broken, index).is_err(),
        "unknown fields are refused"
    );
    let mut broken = package.clone();
    broken["exported_at"] = Value::from("yesterday");
    assert!(
        schemas.validate(&broken, index).is_err(),
        "times are checked"
    );
}

both_backends!(
    a_persons_package_validates_and_holds_only_their_data,
    |db| {
        let w = world(db);
        let s = &w.server;
        let widget = |public: &str| {
            plauder::db::widgets::by_public_id(&mut s.conn(), public)
                .unwrap()
                .unwrap()
                .id
        };
        let (a, b) = (widget(&w.widget_a), widget(&w.widget_b));
        let admin = w.id("admin");
        let email = "Maria.Kühn@example.de";
        let first = chat(
            s,
            a,
            Some("Maria Kühn"),
            Some(email),
            Some(admin),
            &[
                (Sender::Visitor, "Wo bleibt meine Bestellung?"),
                (Sender::Note, "Interne-Notiz-7731"),
                (Sender::Operator, "Sie ist unterwegs."),
            ],
        );
        let second = chat(
            s,
            a,
            None,
            Some("maria.kühn@example.de"),
            None,
            &[(Sender::Visitor, "Noch eine Frage, Größe 42?")],
        );
        let other = chat(
            s,
            a,
            Some("Fremde Person"),
            Some("fremd@example.de"),
            None,
            &[(Sender::Visitor, "Fremd-Marker-5521")],
        );
        let contact = contact_of(s, first);
        assert_eq!(contact_of(s, second), contact, "same address, same contact");
        assert_ne!(contact_of(s, other), contact);

        let before = audit_head(s);
        let path = format!("/console/contacts/{contact}/export.json");
        let r = with_reason(s, &mut login(&w, Who::Dpo), &path);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert!(
            r.header("content-disposition")
                .unwrap()
                .starts_with("attachment;")
        );
        let package: Value = serde_json::from_slice(&r.body).unwrap();
        validate(&package);
        assert_eq!(package["contact"]["email"], email);
        assert_eq!(package["contact"]["name"], "Maria Kühn");
        let ids: Vec<&str> = package["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["conversation"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [first.0.to_string(), second.0.to_string()],
            "oldest first, only hers"
        );
        let text = r.text();
        assert!(text.contains("Noch eine Frage, Größe 42?"));
        assert!(text.contains("Wo bleibt meine Bestellung?"));
        assert!(!text.contains("Fremd-Marker-5521") && !text.contains("Fremde Person"));
        assert!(
            !text.contains("Interne-Notiz-7731"),
            "internal notes are not part of it"
        );
        let c0 = &package["conversations"][0];
        assert_eq!(c0["widget"], "Shop A");
        assert_eq!(c0["technical"]["browser"], "Firefox");
        assert_eq!(c0["consents"][0]["lang"], "de");
        assert_eq!(
            exported_since(s, before),
            [
                ("contact".to_string(), Some(contact), "ok".to_string()),
                ("conversation".into(), Some(first.0), "ok".into()),
                ("conversation".into(), Some(second.0), "ok".into()),
            ]
        );

        // Without exports: 403; a missing contact: 404.
        assert_eq!(fetch(s, &login(&w, Who::Operator), &path).status, 403);
        let missing = fetch(
            s,
            &login(&w, Who::Dpo),
            "/console/contacts/4242/export.json",
        );
        assert_eq!(missing.status, 404);

        // A supervisor of team A: the package is refused when it would miss a conversation in
        // team B, and a person only in team B reads as missing.
        let sup = login(&w, Who::Supervisor);
        assert_eq!(fetch(s, &sup, &path).status, 200);
        chat(
            s,
            b,
            None,
            Some(email),
            None,
            &[(Sender::Visitor, "Team-B-Frage")],
        );
        let before = audit_head(s);
        let r = fetch(s, &sup, &path);
        assert_eq!(r.status, 403, "{}", r.text());
        assert!(r.text().contains("incomplete"));
        let only_b = contact_of(
            s,
            chat(
                s,
                b,
                None,
                Some("nur-b@example.de"),
                None,
                &[(Sender::Visitor, "B")],
            ),
        );
        let hidden = fetch(s, &sup, &format!("/console/contacts/{only_b}/export.json"));
        assert_eq!(hidden.status, 404);
        assert_eq!(hidden.body, missing.body);
        assert_eq!(
            exported_since(s, before),
            [
                ("contact".to_string(), Some(contact), "denied".to_string()),
                ("contact".into(), Some(only_b), "not_found".into()),
            ]
        );
        let r = with_reason(s, &mut login(&w, Who::Dpo), &path);
        let package: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(package["conversations"].as_array().unwrap().len(), 3);
    }
);

both_backends!(an_export_answering_a_request_is_linked_to_it, |db| {
    let w = world(db);
    let s = &w.server;
    let widget = plauder::db::widgets::by_public_id(&mut s.conn(), &w.widget_a)
        .unwrap()
        .unwrap()
        .id;
    let id = chat(
        s,
        widget,
        None,
        Some("auskunft@example.de"),
        None,
        &[(Sender::Visitor, "Hallo")],
    );
    let contact = contact_of(s, id);
    let now = plauder::clock::Clock::naive(s.clock.as_ref());
    let new = plauder::db::dsr::NewRequest {
        kind: plauder::dsr::Kind::Access,
        channel: plauder::dsr::Channel::Email,
        received: now,
        handler: None,
        subject: "Auskunft per E-Mail",
        contact: None,
        notes: None,
    };
    let request = plauder::db::dsr::create(&mut s.conn(), &s.state.ring, &new, now).unwrap();
    let mut dpo = login(&w, Who::Dpo);
    let r = with_reason(
        s,
        &mut dpo,
        &format!(
            "/console/contacts/{contact}/export.json?request={}",
            request.0
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = fetch(
        s,
        &dpo,
        &format!(
            "/console/conversations/export?format=csv&id={}&request={}",
            id.0, request.0
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let linked: Vec<(String, String, i64)> = plauder::db::dsr::actions(&mut s.conn(), request)
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.object_kind, a.object_id))
        .collect();
    assert_eq!(
        linked,
        [
            ("exported".to_string(), "contact".to_string(), contact),
            ("exported".into(), "conversation".into(), id.0),
        ]
    );
    let before = audit_head(s);
    let r = with_reason(
        s,
        &mut dpo,
        &format!("/console/contacts/{contact}/export.json?request=4242"),
    );
    assert_eq!(r.status, 400, "an unknown request refuses the export");
    assert_eq!(
        exported_since(s, before),
        [("none".to_string(), None, "failed".to_string())]
    );
});
