//! UI strings from `templates/i18n/*.toml`, chosen by cookie or Accept-Language.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];
    /// German companies are the users; German is the fallback.
    pub const FALLBACK: Lang = Lang::De;

    pub fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's strings: the main file and one file per area under
    /// `templates/i18n/parts/`, so an area's strings stay beside each other. A key may
    /// appear in only one of them (a test checks).
    fn sources(self) -> &'static [&'static str] {
        match self {
            Self::De => &[
                include_str!("../templates/i18n/de.toml"),
                include_str!("../templates/i18n/parts/statistics.de.toml"),
                include_str!("../templates/i18n/parts/mail.de.toml"),
                include_str!("../templates/i18n/parts/search.de.toml"),
                include_str!("../templates/i18n/parts/settings.de.toml"),
                include_str!("../templates/i18n/parts/export.de.toml"),
                include_str!("../templates/i18n/parts/admin_audit.de.toml"),
                include_str!("../templates/i18n/parts/contacts.de.toml"),
                include_str!("../templates/i18n/parts/requests.de.toml"),
                include_str!("../templates/i18n/parts/retention.de.toml"),
                include_str!("../templates/i18n/parts/backup.de.toml"),
                include_str!("../templates/i18n/parts/reason.de.toml"),
                include_str!("../templates/i18n/parts/approvals.de.toml"),
            ],
            Self::En => &[
                include_str!("../templates/i18n/en.toml"),
                include_str!("../templates/i18n/parts/statistics.en.toml"),
                include_str!("../templates/i18n/parts/mail.en.toml"),
                include_str!("../templates/i18n/parts/search.en.toml"),
                include_str!("../templates/i18n/parts/settings.en.toml"),
                include_str!("../templates/i18n/parts/export.en.toml"),
                include_str!("../templates/i18n/parts/admin_audit.en.toml"),
                include_str!("../templates/i18n/parts/contacts.en.toml"),
                include_str!("../templates/i18n/parts/requests.en.toml"),
                include_str!("../templates/i18n/parts/retention.en.toml"),
                include_str!("../templates/i18n/parts/backup.en.toml"),
                include_str!("../templates/i18n/parts/reason.en.toml"),
                include_str!("../templates/i18n/parts/approvals.en.toml"),
            ],
        }
    }

    /// Every file of the language parsed and merged; an unparsable file or a key defined
    /// twice is an error (shown by the test, never at run time).
    fn catalog(self) -> Result<Catalog, String> {
        let mut merged = Catalog::new();
        for source in self.sources() {
            let part: Catalog = toml::from_str(source).map_err(|e| e.to_string())?;
            for (key, value) in part {
                if merged.insert(key.clone(), value).is_some() {
                    return Err(format!("{key} is defined twice"));
                }
            }
        }
        Ok(merged)
    }

    /// The best supported language of an Accept-Language header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Self::from_code(primary) {
                if best.is_none_or(|(bq, _)| q > bq) && q > 0.0 {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

type Catalog = HashMap<String, String>;

fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATALOGS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|l| (l.code(), l.catalog().unwrap_or_default()))
            .collect()
    })
}

/// Translator for one language; handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The string for `key`; the key itself if missing (a test keeps that from happening).
    pub fn get<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        catalogs()
            .get(self.lang.code())
            .and_then(|c| c.get(key))
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// `get` with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let key: &str = key;
        let mut text = catalogs()
            .get(self.lang.code())
            .and_then(|c| c.get(key))
            .cloned()
            .unwrap_or_else(|| key.to_string());
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let parsed: Vec<(Lang, Catalog)> = Lang::ALL
            .into_iter()
            .map(|l| (l, l.catalog().unwrap()))
            .collect();
        let (_, reference) = &parsed[0];
        for (lang, catalog) in &parsed {
            for key in reference.keys() {
                assert!(catalog.contains_key(key), "{} lacks {key}", lang.code());
            }
            assert_eq!(
                catalog.len(),
                reference.len(),
                "{} has extra keys",
                lang.code()
            );
            assert!(catalog.values().all(|v| !v.trim().is_empty()));
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,de;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, de-AT;q=0.7, en;q=0.5"),
            Some(Lang::De)
        );
        assert_eq!(Lang::from_accept_language("fr, it"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, de;q=0.1"),
            Some(Lang::De)
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(
            Tr::new(Lang::En)
                .fill("login.throttled", &[("seconds", "8")])
                .contains(" 8 ")
        );
        assert_eq!(Tr::new(Lang::De).get("nav.logout"), "Abmelden");
    }
}
