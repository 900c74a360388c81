use super::*;
use std::collections::BTreeSet;

fn parsed(lang: VisitorLang) -> Catalog {
    match parse(lang) {
        Ok(c) => c,
        Err(e) => panic!("templates/i18n/widget/{}.toml: {e}", lang.code()),
    }
}

/// `{name}` placeholders in a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    found.insert(name);
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    found
}

#[test]
fn every_catalog_parses() {
    for lang in VisitorLang::ALL {
        assert!(!parsed(lang).is_empty(), "{} is empty", lang.code());
    }
}

#[test]
fn every_language_has_exactly_the_english_keys_and_placeholders() {
    let reference = parsed(VisitorLang::En);
    assert!(reference.len() > 50, "the reference lost its keys");
    let expected: BTreeSet<&String> = reference.keys().collect();
    for lang in VisitorLang::ALL {
        let catalog = parsed(lang);
        let keys: BTreeSet<&String> = catalog.keys().collect();
        let missing: Vec<_> = expected.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&expected).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
        assert!(extra.is_empty(), "{} has extra keys {extra:?}", lang.code());
        for (key, text) in &catalog {
            assert!(!text.trim().is_empty(), "{} {key} is empty", lang.code());
            let english = &reference[key];
            for name in placeholders(english) {
                assert!(
                    placeholders(text).contains(name),
                    "{} {key} lacks {{{name}}}",
                    lang.code()
                );
            }
        }
    }
}

#[test]
fn translations_are_not_english_copies() {
    let reference = parsed(VisitorLang::En);
    // Long texts are where a forgotten translation shows; short ones ("Chat") may match.
    let long: Vec<(&String, &String)> = reference
        .iter()
        .filter(|(_, text)| text.chars().count() > 30)
        .collect();
    assert!(long.len() > 10);
    for lang in VisitorLang::ALL
        .into_iter()
        .filter(|l| *l != VisitorLang::En)
    {
        let catalog = parsed(lang);
        for (key, english) in &long {
            assert_ne!(
                catalog.get(*key),
                Some(*english),
                "{} {key} is English",
                lang.code()
            );
        }
    }
}

#[test]
fn placeholder_probe_finds_names() {
    let found = placeholders("Wait {seconds} s, {n} left, {not a name} {}");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["n", "seconds"]);
}

#[test]
fn codes_round_trip() {
    for lang in VisitorLang::ALL {
        assert_eq!(VisitorLang::from_code(lang.code()), Some(lang));
        assert_eq!(lang.code().len(), 2);
    }
    let distinct: BTreeSet<&str> = VisitorLang::ALL.iter().map(|l| l.code()).collect();
    assert_eq!(distinct.len(), 24);
    assert_eq!(VisitorLang::from_code("xx"), None);
    assert_eq!(VisitorLang::from_code("DE"), None);
    assert_eq!(VisitorLang::from_code(""), None);
}

#[test]
fn accept_language_honours_weights_and_regions() {
    let pick = VisitorLang::from_accept_language;
    assert_eq!(pick("de-AT,de;q=0.9"), Some(VisitorLang::De));
    assert_eq!(pick("pt-BR"), Some(VisitorLang::Pt));
    assert_eq!(pick("en-US,en;q=0.9,de;q=0.8"), Some(VisitorLang::En));
    // The higher weight wins, not the earlier position.
    assert_eq!(pick("fr;q=0.3, pl;q=0.8"), Some(VisitorLang::Pl));
    // Unsupported languages are skipped, whatever their weight.
    assert_eq!(
        pick("ja, zh-Hant-TW;q=0.9, fi;q=0.2"),
        Some(VisitorLang::Fi)
    );
    // On a tie the earlier entry wins.
    assert_eq!(pick("sv, da"), Some(VisitorLang::Sv));
    // q=0 means "not acceptable".
    assert_eq!(pick("it;q=0, es;q=0.1"), Some(VisitorLang::Es));
    assert_eq!(pick("it;q=0"), None);
    // Malformed weights do not win.
    assert_eq!(pick("el;q=abc, hr;q=0.5"), Some(VisitorLang::Hr));
    assert_eq!(pick("el;q=7, hr;q=0.5"), Some(VisitorLang::Hr));
    // Case, spaces, underscores, wildcards and junk.
    assert_eq!(pick("  GA-IE ; q=0.7 "), Some(VisitorLang::Ga));
    assert_eq!(pick("mt_MT"), Some(VisitorLang::Mt));
    assert_eq!(pick("*"), None);
    assert_eq!(pick(""), None);
    assert_eq!(pick(",,;;q=1"), None);
    assert_eq!(pick("ja, ko"), None);
}

#[test]
fn fallback_chain_is_browser_then_widget_then_german() {
    let choose = VisitorLang::choose;
    assert_eq!(
        choose(Some("nl-BE"), Some(VisitorLang::Fr)),
        VisitorLang::Nl
    );
    assert_eq!(choose(Some("ja"), Some(VisitorLang::Fr)), VisitorLang::Fr);
    assert_eq!(choose(None, Some(VisitorLang::Lv)), VisitorLang::Lv);
    assert_eq!(choose(Some("ja"), None), VisitorLang::De);
    assert_eq!(choose(None, None), VisitorLang::De);
}

#[test]
fn strings_come_in_the_chosen_language() {
    assert_eq!(
        VisitorTr::new(VisitorLang::De).get("widget.open"),
        "Chat öffnen"
    );
    assert_eq!(
        VisitorTr::new(VisitorLang::En).get("widget.open"),
        "Open chat"
    );
    assert_eq!(VisitorLang::De.name(), "Deutsch");
    assert_eq!(
        VisitorTr::new(VisitorLang::En).get("no.such.key"),
        "no.such.key"
    );
    let json: serde_json::Value =
        serde_json::from_str(&VisitorTr::new(VisitorLang::En).json("widget.self.")).unwrap();
    assert_eq!(json["widget.self.cancel"], "Cancel");
    assert!(json.get("widget.open").is_none());
    assert_eq!(VisitorLang::choices().len(), 24);
}

#[test]
fn every_language_differs_from_every_other() {
    // Guards against a file pasted under the wrong code.
    let names: BTreeSet<&str> = VisitorLang::ALL.iter().map(|l| l.name()).collect();
    assert_eq!(names.len(), 24);
}

/// `"widget.…"` string literals in the sources and templates that name a catalog key.
fn referenced_keys() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("src"), root.join("templates")];
    let mut keys = BTreeSet::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                // The catalogs themselves are not references.
                if !path.ends_with("i18n") {
                    stack.push(path);
                }
                continue;
            }
            // This file names keys in its own assertions; it would prove nothing.
            if path.ends_with("widget/lang/tests.rs") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (at, _) in text.match_indices("\"widget.") {
                let rest = &text[at + 1..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.'))
                    .unwrap_or(rest.len());
                let key = &rest[..end];
                let is_file = [".js", ".css", ".toml", ".html"]
                    .iter()
                    .any(|ext| key.ends_with(ext));
                // A trailing dot is a prefix (`json("widget.self.")`), not a key.
                if rest[end..].starts_with('"') && !key.ends_with('.') && !is_file {
                    keys.insert(key.to_string());
                }
            }
        }
    }
    keys
}

#[test]
fn every_widget_key_the_code_uses_is_in_the_catalogs() {
    let keys = referenced_keys();
    // The probe must see the keys this crate is known to use.
    assert!(keys.contains("widget.open"), "{keys:?}");
    assert!(keys.contains("widget.send"), "{keys:?}");
    let reference = parsed(VisitorLang::En);
    let unknown: Vec<&String> = keys
        .iter()
        .filter(|k| !reference.contains_key(*k))
        .collect();
    assert!(
        unknown.is_empty(),
        "used but not in the catalogs: {unknown:?}"
    );
}
