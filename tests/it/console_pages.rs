//! The console's pages beyond the live socket, on both backends: canned responses (add,
//! edit, delete, refusals), history and transcripts of closed chats, offline messages in the
//! inbox. The real-browser part (canned insertion, notification sound) is in `browser`.

mod browser;
mod reason_browser;

use crate::both_backends;
use crate::support::client::Client;
use crate::support::ws::{Ws, hello, open, say};
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use crate::visitor::{visitor, widget};
use diesel::prelude::*;
use plauder::db::staff::Role;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub fn operator_socket(server: &TestServer, client: &Client) -> Ws {
    let cookie = format!("__Host-plauder={}", client.cookies["__Host-plauder"]);
    let mut ws = open(
        server,
        "/console/ws",
        Some("https://localhost"),
        Some(&cookie),
    )
    .unwrap();
    ws.recv_type("hello");
    ws
}

/// Reads queue frames until one holds a conversation of `status`; returns its id.
fn await_status(op: &mut Ws, status: &str, except: &[&str]) -> (String, Value) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let q = op.recv_queue();
        if let Some(c) = q["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == status && !except.contains(&c["id"].as_str().unwrap()))
        {
            return (c["id"].as_str().unwrap().to_string(), c.clone());
        }
    }
    panic!("no {status} conversation in the queue");
}

/// Every snippet as (shortcut, text), to prove a refused form changed nothing.
fn snippets(server: &TestServer) -> Vec<(String, String)> {
    plauder::db::canned::list(&mut server.conn())
        .unwrap()
        .into_iter()
        .map(|c| (c.shortcut, c.body))
        .collect()
}

fn snippet_id(server: &TestServer, shortcut: &str) -> String {
    plauder::db::canned::by_shortcut(&mut server.conn(), shortcut)
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

/// The text of HTML as a browser shows it (the entities askama writes).
fn unescape(html: &str) -> String {
    [
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(html.to_string(), |s, (entity, c)| s.replace(entity, c))
}

const SHORTCUT_ERROR: &str = "The shortcut needs 1 to 32 characters";
const BODY_ERROR: &str = "The text needs 1 to 4,000 characters.";
const TAKEN_ERROR: &str = "This shortcut exists already.";

both_backends!(admins_add_edit_and_delete_canned_responses, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    let csrf = admin.get("/admin/canned").csrf();
    let add = |c: &mut Client, shortcut: &str, body: &str| {
        c.post(
            "/admin/canned",
            &[("csrf", &csrf), ("shortcut", shortcut), ("body", body)],
        )
    };
    let r = add(&mut admin, "/Gruss", "Guten Tag! Wie kann ich helfen?");
    assert_eq!((r.status, r.location()), (303, "/admin/canned"));
    assert_eq!(
        add(&mut admin, "danke", "Danke für Ihre Geduld.").status,
        303
    );
    let list = admin.get("/admin/canned");
    assert!(list.body.contains("/gruss") && list.body.contains("Guten Tag!"));
    let id = snippet_id(&server, "gruss");

    // The edit form comes prefilled.
    let form = admin.get(&format!("/admin/canned/{id}/edit"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"/gruss\""), "{}", form.body);
    assert!(
        form.body
            .contains(">Guten Tag! Wie kann ich helfen?</textarea>")
    );
    let csrf = form.csrf();
    let edit = |c: &mut Client, shortcut: &str, body: &str, token: &str| {
        c.post(
            &format!("/admin/canned/{id}/edit"),
            &[("csrf", token), ("shortcut", shortcut), ("body", body)],
        )
    };
    let r = edit(&mut admin, "gruss-morgen", "Guten Morgen <& Hallo>", &csrf);
    assert_eq!((r.status, r.location()), (303, "/admin/canned"));
    let after_edit = snippets(&server);
    assert_eq!(
        after_edit,
        [
            ("danke".to_string(), "Danke für Ihre Geduld.".to_string()),
            ("gruss-morgen".into(), "Guten Morgen <& Hallo>".into()),
        ]
    );
    let list = admin.get("/admin/canned").body;
    assert!(
        !list.contains("Guten Morgen <& Hallo>")
            && unescape(&list).contains("Guten Morgen <& Hallo>"),
        "snippets are shown escaped"
    );
    // Keeping its own shortcut is no conflict.
    let r = edit(&mut admin, "/gruss-morgen", "Guten Morgen <& Hallo>", &csrf);
    assert_eq!(r.status, 303, "{}", r.body);

    // Bad input: 400, the field named and marked, the form keeps the input, nothing changed.
    let long = "x".repeat(4001);
    for (shortcut, body, message, field) in [
        ("gruss morgen", "Hallo", SHORTCUT_ERROR, "shortcut"),
        ("", "Hallo", SHORTCUT_ERROR, "shortcut"),
        (&"a".repeat(33)[..], "Hallo", SHORTCUT_ERROR, "shortcut"),
        ("grüße", "Hallo", SHORTCUT_ERROR, "shortcut"),
        ("ok", "   ", BODY_ERROR, "body"),
        ("ok", &long[..], BODY_ERROR, "body"),
        ("danke", "Hallo", TAKEN_ERROR, "shortcut"),
    ] {
        for r in [
            edit(&mut admin, shortcut, body, &csrf),
            add(&mut admin, shortcut, body),
        ] {
            assert_eq!(r.status, 400, "{shortcut:?}/{body:.20}: {}", r.body);
            assert!(r.body.contains(message), "{message}: {}", r.body);
            let marked = format!("id=\"{field}\"");
            let tag = &r.body[r.body.find(&marked).unwrap()..];
            let tag = &tag[..tag.find('>').unwrap()];
            assert!(tag.contains("aria-invalid=\"true\""), "{field}: {tag}");
            assert_eq!(snippets(&server), after_edit, "nothing changed");
        }
    }
    // Without the CSRF token, or for a snippet that is gone: refused, nothing changed.
    assert_eq!(edit(&mut admin, "neu", "Hallo", "forged").status, 403);
    let r = admin.post(
        "/admin/canned/1/edit",
        &[("csrf", &csrf), ("shortcut", "neu"), ("body", "Hallo")],
    );
    assert_eq!(r.status, 404);
    assert_eq!(admin.get("/admin/canned/1/edit").status, 404);
    assert_eq!(snippets(&server), after_edit);

    let r = admin.post(&format!("/admin/canned/{id}/delete"), &[("csrf", &csrf)]);
    assert_eq!(r.status, 303);
    assert_eq!(snippets(&server), [after_edit[0].clone()]);
    assert_eq!(admin.get(&format!("/admin/canned/{id}/edit")).status, 404);
});

both_backends!(
    operators_use_canned_responses_but_cannot_change_them,
    |db| {
        let server = TestServer::start(db);
        add_staff(&server, "olga", Role::Operator, None);
        plauder::db::canned::insert(
            &mut server.conn(),
            "gruss",
            "Guten Tag!",
            chrono::Utc::now().naive_utc(),
        )
        .unwrap();
        let id = snippet_id(&server, "gruss");
        let before = snippets(&server);
        let mut olga = server.login("olga", GOOD_PASSWORD);
        let csrf = olga.get("/console").csrf();
        assert_eq!(olga.get("/admin/canned").status, 403);
        assert_eq!(olga.get(&format!("/admin/canned/{id}/edit")).status, 403);
        let fields = [("csrf", &csrf[..]), ("shortcut", "boese"), ("body", "x")];
        assert_eq!(olga.post("/admin/canned", &fields).status, 403);
        assert_eq!(
            olga.post(&format!("/admin/canned/{id}/edit"), &fields)
                .status,
            403
        );
        assert_eq!(
            olga.post(&format!("/admin/canned/{id}/delete"), &fields[..1])
                .status,
            403
        );
        assert_eq!(snippets(&server), before, "nothing changed");
        // What the console offers when the operator types `/`.
        let json = olga.get("/console/canned.json");
        assert_eq!(json.status, 200);
        let list: Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(
            list,
            json!([{"id": id, "shortcut": "gruss", "body": "Guten Tag!"}])
        );
        let mut nobody = server.client();
        let r = nobody.get("/admin/canned");
        assert_eq!((r.status, r.location()), (303, "/login"));
    }
);

both_backends!(
    closed_chats_are_in_the_history_with_their_transcript,
    |db| {
        let server = TestServer::start(db);
        add_staff(&server, "olga", Role::Operator, None);
        let w = widget(&server, false);
        let mut web = server.login("olga", GOOD_PASSWORD);
        let mut op = operator_socket(&server, &web);

        let mut v = visitor(&server, &w);
        hello(&mut v, None);
        say(&mut v, "m1", "Erste Frage zur Lieferung");
        v.recv_type("ack");
        say(&mut v, "m2", "<script>alert(1)</script>");
        v.recv_type("ack");
        let (id, _) = await_status(&mut op, "waiting", &[]);
        op.send(json!({"type": "take", "conversation": id}));
        for (cid, text, note) in [("r1", "Antwort eins", false), ("n1", "Interne Notiz", true)] {
            op.send(
                json!({"type": "send", "conversation": id, "id": cid, "text": text, "note": note}),
            );
            assert_eq!(op.recv_type("ack")["id"], cid);
        }
        say(&mut v, "m3", "Danke schön");
        v.recv_type("ack");

        // A second chat stays open: it is no history yet.
        let mut open_one = visitor(&server, &w);
        hello(&mut open_one, None);
        say(&mut open_one, "o1", "Noch offen");
        open_one.recv_type("ack");
        let (still_open, _) = await_status(&mut op, "waiting", &[&id]);

        assert!(!web.get("/console/history").body.contains(&id));
        op.send(json!({"type": "close", "conversation": id}));
        v.recv_type("closed");

        let history = web.get("/console/history");
        assert_eq!(history.status, 200);
        let link = format!("/console/conversations/{id}");
        assert!(history.body.contains(&link), "{}", history.body);
        assert!(
            !history.body.contains(&still_open),
            "open chats are not history"
        );

        let page = web.get(&link);
        assert_eq!(page.status, 200);
        let body = &page.body;
        assert!(!body.contains("<script>alert"), "visitor text is escaped");
        let text = unescape(body);
        let order: Vec<usize> = [
            "Erste Frage zur Lieferung",
            "<script>alert(1)</script>",
            "Antwort eins",
            "Interne Notiz",
            "Danke schön",
        ]
        .iter()
        .map(|t| {
            text.find(t)
                .unwrap_or_else(|| panic!("{t} missing: {body}"))
        })
        .collect();
        assert!(order.is_sorted(), "in order: {order:?}");
        // The page shows decrypted text; the database holds none of it in the clear.
        let stored: Vec<Vec<u8>> = plauder::db::schema::messages::table
            .select(plauder::db::schema::messages::body_enc)
            .load(&mut *server.conn())
            .unwrap();
        assert!(stored.len() >= 5);
        assert!(
            stored
                .iter()
                .all(|b| !b.windows(12).any(|w| w == b"Erste Frage ")),
            "stored encrypted"
        );

        // Without a session: sent to the login, the transcript is not shown.
        let mut nobody = server.client();
        for path in ["/console/history", link.as_str()] {
            let r = nobody.get(path);
            assert_eq!((r.status, r.location()), (303, "/login"), "{path}");
            assert!(!r.body.contains("Erste Frage"));
        }
        assert_eq!(web.get("/console/conversations/1").status, 404);
    }
);

both_backends!(offline_messages_land_in_the_console_inbox, |db| {
    let server = TestServer::start(db);
    let w = widget(&server, false);
    let web = server.admin();
    let mut op = operator_socket(&server, &web);
    let mut v = visitor(&server, &w);
    assert_eq!(hello(&mut v, None)["available"], true);
    op.send(json!({"type": "availability", "status": "away"}));
    assert_eq!(v.recv_type("availability")["available"], false);

    v.send(json!({"v": 1, "type": "offline", "id": "off1", "text": "Bitte um Rückruf wegen Auftrag 4711", "name": "Erika Muster", "email": "erika@example.de"}));
    assert_eq!(v.recv_type("ack")["id"], "off1");
    // The console that is open (away) sees it arrive without reload.
    let (id, entry) = await_status(&mut op, "offline", &[]);
    assert_eq!(entry["widget"], "Shop");
    op.send(json!({"type": "open", "conversation": id}));
    let t = op.recv_type("transcript");
    assert_eq!(t["lines"][0]["text"], "Bitte um Rückruf wegen Auftrag 4711");
    assert_eq!(t["lines"][0]["from"], "visitor");
    assert_eq!(
        (t["name"].as_str(), t["email"].as_str()),
        (Some("Erika Muster"), Some("erika@example.de"))
    );
    drop(op);

    // An operator who signs in later finds it in the inbox too.
    add_staff(&server, "olga", Role::Operator, None);
    let mut later = operator_socket(&server, &server.login("olga", GOOD_PASSWORD));
    let (again, _) = await_status(&mut later, "offline", &[]);
    assert_eq!(again, id);
    later.send(json!({"type": "open", "conversation": id}));
    assert_eq!(
        later.recv_type("transcript")["lines"][0]["text"],
        "Bitte um Rückruf wegen Auftrag 4711"
    );
});
