//! The widget speaks the visitor's language: browser language, else the widget's default
//! language, over real HTTPS on both backends.

use crate::both_backends;
use crate::support::TestServer;
use crate::widgets::{GOOD, create_widget};

fn with_default_lang(lang: &'static str) -> Vec<(&'static str, &'static str)> {
    GOOD.iter()
        .map(|&(k, v)| {
            if k == "default_lang" {
                (k, lang)
            } else {
                (k, v)
            }
        })
        .collect()
}

both_backends!(widget_speaks_the_visitors_language, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();

    // The admin picks the default from all 24 languages, each named in itself.
    let form = admin.get("/admin/widgets/new").body;
    for (code, name) in [("mt", "Malti"), ("ga", "Gaeilge"), ("el", "Ελληνικά")] {
        assert!(
            form.contains(&format!("<option value=\"{code}\" lang=\"{code}\"")),
            "{code} offered"
        );
        assert!(form.contains(name), "{name} shown");
    }
    for lang in plauder::widget::lang::VisitorLang::ALL {
        let code = lang.code();
        assert!(form.contains(&format!("<option value=\"{code}\" lang=\"{code}\"")));
    }
    let id = create_widget(&mut admin, &with_default_lang("lv"));
    let edit = admin.get(&format!("/admin/widgets/{id}")).body;
    assert!(edit.contains("<option value=\"lv\" lang=\"lv\" selected>"));

    let mut visitor = server.client();
    let frame = |visitor: &mut crate::support::client::Client, accept: &str| {
        visitor.accept_language = accept.into();
        let r = visitor.get(&format!("/w/{id}"));
        assert_eq!(r.status, 200, "{accept}");
        r.body
    };

    // Probe: a German browser gets the German close label.
    let german = frame(&mut visitor, "de-AT,de;q=0.9");
    assert!(german.contains("<html lang=\"de\">"), "{german}");
    assert!(german.contains("Chat schließen"));

    // A Swiss French browser gets French, and nothing German.
    let french = frame(&mut visitor, "fr-CH, fr;q=0.9, de;q=0.5");
    assert!(french.contains("<html lang=\"fr\">"), "{french}");
    assert!(french.contains("Fermer le chat"));
    assert!(!french.contains("Chat schließen"));

    // The higher weight wins over the earlier position.
    let swedish = frame(&mut visitor, "de;q=0.2, sv;q=0.8");
    assert!(swedish.contains("<html lang=\"sv\">"));
    assert!(swedish.contains("Stäng chatten"));

    // No supported language: the widget's default (Latvian), not German.
    for accept in ["ja, zh-CN;q=0.8", "", "fr;q=0"] {
        let page = frame(&mut visitor, accept);
        assert!(page.contains("<html lang=\"lv\">"), "{accept}: {page}");
        assert!(page.contains("Aizvērt tērzēšanu"), "{accept}");
    }

    // The loader's launcher label comes in the same language.
    visitor.accept_language = "pt-BR,pt;q=0.9".into();
    let config = visitor.get(&format!("/w/{id}/config"));
    assert_eq!(config.status, 200);
    let json: serde_json::Value = serde_json::from_str(&config.body).unwrap();
    assert_eq!(json["open"], "Abrir o chat");
    assert_eq!(json["close"], "Fechar o chat");
});

both_backends!(a_default_language_outside_the_24_is_refused, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    for bad in ["zh", "DE", "de-AT", "no"] {
        let csrf = admin.get("/admin/widgets/new").csrf();
        let mut fields = with_default_lang(bad);
        fields.push(("csrf", &csrf));
        let r = admin.post("/admin/widgets", &fields);
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.body.contains("lang-error"), "{bad}: field named");
    }
    assert!(admin.get("/admin/widgets").body.contains("No widget yet"));
});
