//! The consent step of the visitor protocol, on both backends: nothing is stored before a
//! consent to the current notice; the consent record names the exact text and language.

use crate::both_backends;
use crate::support::scan::row_counts;
use crate::support::ws::{default_consent, hello_only, say};
use crate::support::{Db, TestServer};
use crate::visitor::{visitor, widget};
use diesel::prelude::*;
use plauder::db::schema::{consents, conversations};
use plauder::widget::lang::VisitorLang;
use plauder::widget::notice::{Notice, hash_hex};
use serde_json::json;

fn error_code(ws: &mut crate::support::ws::Ws) -> String {
    ws.recv_type("error")["code"].as_str().unwrap().to_string()
}

both_backends!(
    nothing_is_stored_before_a_consent_to_the_current_notice,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let before = row_counts(&server);
        assert!(
            before.contains_key("consents") && before.contains_key("conversation_meta"),
            "the probe sees every table: {before:?}"
        );
        assert_eq!(before["widgets"], 1, "the probe counts rows");

        let mut ws = visitor(&server, &w);
        let welcome = hello_only(&mut ws, None);
        assert_eq!(welcome["resumed"], false);
        say(&mut ws, "m1", "Hallo ohne Zustimmung");
        assert_eq!(error_code(&mut ws), "consent_required");
        ws.send(json!({"v": 1, "type": "offline", "id": "o1", "text": "Rückruf bitte", "email": "a@b.de"}));
        assert_eq!(error_code(&mut ws), "consent_required");
        // A notice that is not the one shown now: the English text for a German consent.
        let english = Notice::default_for(VisitorLang::En);
        ws.send(json!({"v": 1, "type": "consent", "notice": english.hash, "lang": "de"}));
        assert_eq!(error_code(&mut ws), "stale_notice");
        say(&mut ws, "m2", "immer noch nicht");
        assert_eq!(error_code(&mut ws), "consent_required");
        ws.send(json!({"v": 1, "type": "consent", "notice": "abc", "lang": "de"}));
        assert_eq!(error_code(&mut ws), "bad_consent");
        assert_eq!(
            row_counts(&server),
            before,
            "refused frames store nothing anywhere"
        );

        ws.send(default_consent());
        let german = Notice::default_for(VisitorLang::De);
        let consented = ws.recv_type("consented");
        assert_eq!(consented["version"], german.version.as_str());
        assert_eq!(german.version.len(), 12);
        assert_eq!(
            row_counts(&server),
            before,
            "the consent alone stores nothing: it is kept with the conversation"
        );

        say(&mut ws, "m3", "Jetzt mit Zustimmung");
        ws.recv_type("started");
        ws.recv_type("ack");
        let after = row_counts(&server);
        assert_eq!(after["conversations"], 1);
        assert_eq!(after["messages"], 1);
        assert_eq!(after["consents"], 1);
        let (conversation, given_at): (i64, chrono::NaiveDateTime) = conversations::table
            .select((conversations::id, conversations::created_at))
            .first(&mut *server.conn())
            .unwrap();
        let record = plauder::db::consents::for_conversation(
            &mut server.conn(),
            plauder::db::conversations::ConversationId(conversation),
        )
        .unwrap();
        assert_eq!(record.len(), 1);
        assert_eq!(record[0].given.notice_hash, hash_hex(&german.text));
        assert_eq!(record[0].given.notice_version, german.version);
        assert_eq!(record[0].given.lang, "de");
        assert_eq!(
            record[0].given_at, given_at,
            "recorded with the conversation"
        );
        assert_eq!(record[0].withdrawn_at, None);

        // Offline messages need the consent as well and record it too.
        let mut off = visitor(&server, &w);
        hello_only(&mut off, None);
        off.send(json!({"v": 1, "type": "offline", "id": "o2", "text": "Bitte melden"}));
        assert_eq!(error_code(&mut off), "consent_required");
        off.send(default_consent());
        off.recv_type("consented");
        off.send(json!({"v": 1, "type": "offline", "id": "o3", "text": "Bitte melden"}));
        off.recv_type("ack");
        assert_eq!(row_counts(&server)["consents"], 2);
    }
);

both_backends!(
    a_returning_visitor_continues_without_a_second_consent,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let mut ws = visitor(&server, &w);
        crate::support::ws::hello(&mut ws, None);
        say(&mut ws, "a", "erste Nachricht");
        let token = ws.recv_type("started")["token"]
            .as_str()
            .unwrap()
            .to_string();
        ws.recv_type("ack");
        drop(ws);
        let mut back = visitor(&server, &w);
        assert_eq!(hello_only(&mut back, Some((&token, 1)))["resumed"], true);
        say(&mut back, "b", "zweite Nachricht");
        assert_eq!(back.recv_type("ack")["seq"], 2);
        assert_eq!(
            row_counts(&server)["consents"],
            1,
            "one consent per conversation"
        );
    }
);

/// Sets the admin's own notice for one language through the admin page.
fn set_notice(server: &TestServer, public_id: &str, lang: &str, text: &str) {
    let mut admin = server.admin();
    let path = format!("/admin/widgets/{public_id}/notices");
    let page = admin.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    let field = format!("notice_{lang}");
    let r = admin.post(&path, &[("csrf", &page.csrf()), (&field, text)]);
    assert_eq!(r.status, 303, "{}", r.body);
}

both_backends!(
    an_own_notice_in_the_visitors_language_is_what_is_recorded,
    |db| {
        let server = TestServer::start(db);
        let w = widget(&server, false);
        let mut browser = server.client();
        browser.accept_language = "fr-FR,fr;q=0.9".into();
        let default_fr = Notice::default_for(VisitorLang::Fr);
        let page = browser.get(&format!("/w/{w}"));
        assert!(
            page.body
                .contains(&format!("data-notice=\"{}\"", default_fr.hash))
        );
        assert!(page.body.contains("data-lang=\"fr\""));

        // The admin writes an own French text (CRLF from the browser, stored with LF).
        set_notice(
            &server,
            &w,
            "fr",
            "Nous gardons vos messages.\r\nPolitique : voir le lien.",
        );
        let own = "Nous gardons vos messages.\nPolitique : voir le lien.";
        let page = browser.get(&format!("/w/{w}"));
        assert!(
            page.body.contains("Nous gardons vos messages."),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains(&format!("data-notice=\"{}\"", hash_hex(own)))
        );
        assert!(
            page.body.contains(&hash_hex(own)[..12]),
            "the version is shown"
        );

        // A visitor who still has the old page open cannot record consent to the old text.
        let mut stale = visitor(&server, &w);
        hello_only(&mut stale, None);
        stale.send(json!({"v": 1, "type": "consent", "notice": default_fr.hash, "lang": "fr"}));
        assert_eq!(error_code(&mut stale), "stale_notice");
        say(&mut stale, "s1", "Bonjour");
        assert_eq!(error_code(&mut stale), "consent_required");

        let mut fresh = visitor(&server, &w);
        hello_only(&mut fresh, None);
        fresh.send(json!({"v": 1, "type": "consent", "notice": hash_hex(own), "lang": "fr"}));
        fresh.recv_type("consented");
        say(&mut fresh, "f1", "Bonjour");
        fresh.recv_type("ack");
        let (hash, version, lang): (String, String, String) = consents::table
            .select((
                consents::notice_hash,
                consents::notice_version,
                consents::lang,
            ))
            .first(&mut *server.conn())
            .unwrap();
        assert_eq!(
            (hash.as_str(), lang.as_str()),
            (hash_hex(own).as_str(), "fr")
        );
        assert_eq!(version, hash_hex(own)[..12]);

        // The other languages keep the default; emptying the field brings it back.
        let de = browser_page_in(&server, &w, "de");
        assert!(de.contains(&Notice::default_for(VisitorLang::De).hash));
        set_notice(&server, &w, "fr", "   ");
        let page = browser.get(&format!("/w/{w}"));
        assert!(page.body.contains(&default_fr.hash));
    }
);

fn browser_page_in(server: &TestServer, w: &str, lang: &str) -> String {
    let mut c = server.client();
    c.accept_language = lang.into();
    c.get(&format!("/w/{w}")).body
}

#[test]
fn notice_texts_are_admin_only_and_bounded() {
    let server = TestServer::start(Db::Sqlite);
    let w = widget(&server, false);
    let path = format!("/admin/widgets/{w}/notices");
    let mut anonymous = server.client();
    assert_eq!(anonymous.get(&path).status, 303, "login required");
    crate::support::add_staff(&server, "olga", plauder::db::staff::Role::Operator, None);
    let mut operator = server.login("olga", crate::support::GOOD_PASSWORD);
    assert_eq!(operator.get(&path).status, 403);

    let mut admin = server.admin();
    let page = admin.get(&path);
    assert!(
        page.body.contains("notice_ga") && page.body.contains("notice_mt"),
        "all 24"
    );
    let long = "x".repeat(4001);
    let r = admin.post(
        &path,
        &[
            ("csrf", &page.csrf()),
            ("notice_de", &long),
            ("notice_en", "Kurz"),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("aria-invalid=\"true\""),
        "the field is marked"
    );
    assert!(r.body.contains("At most 4,000 characters."));
    let stored: i64 = plauder::db::schema::widget_notices::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap();
    assert_eq!(stored, 0, "nothing saved when one text is too long");
    let r = admin.post(&path, &[("notice_en", "ohne csrf")]);
    assert_eq!(r.status, 403, "CSRF checked");
}
