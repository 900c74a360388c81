//! The visitor's language: the 24 official EU languages, chosen from the browser's
//! Accept-Language with a fallback (browser → widget default → German), and the widget's
//! strings in that language from `templates/i18n/widget/<code>.toml`.
//!
//! Only visitor-facing strings live here; the admin UI keeps `crate::i18n` (German and
//! English). Must never store or log the Accept-Language header: it only picks the strings.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One of the 24 official languages of the European Union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisitorLang {
    Bg,
    Cs,
    Da,
    De,
    El,
    En,
    Es,
    Et,
    Fi,
    Fr,
    Ga,
    Hr,
    Hu,
    It,
    Lt,
    Lv,
    Mt,
    Nl,
    Pl,
    Pt,
    Ro,
    Sk,
    Sl,
    Sv,
}

impl VisitorLang {
    pub const ALL: [VisitorLang; 24] = [
        Self::Bg,
        Self::Cs,
        Self::Da,
        Self::De,
        Self::El,
        Self::En,
        Self::Es,
        Self::Et,
        Self::Fi,
        Self::Fr,
        Self::Ga,
        Self::Hr,
        Self::Hu,
        Self::It,
        Self::Lt,
        Self::Lv,
        Self::Mt,
        Self::Nl,
        Self::Pl,
        Self::Pt,
        Self::Ro,
        Self::Sk,
        Self::Sl,
        Self::Sv,
    ];
    /// German companies are the users; German is the last resort.
    pub const FALLBACK: VisitorLang = VisitorLang::De;

    /// The ISO 639-1 code, as stored in widget settings and consent records.
    pub fn code(self) -> &'static str {
        match self {
            Self::Bg => "bg",
            Self::Cs => "cs",
            Self::Da => "da",
            Self::De => "de",
            Self::El => "el",
            Self::En => "en",
            Self::Es => "es",
            Self::Et => "et",
            Self::Fi => "fi",
            Self::Fr => "fr",
            Self::Ga => "ga",
            Self::Hr => "hr",
            Self::Hu => "hu",
            Self::It => "it",
            Self::Lt => "lt",
            Self::Lv => "lv",
            Self::Mt => "mt",
            Self::Nl => "nl",
            Self::Pl => "pl",
            Self::Pt => "pt",
            Self::Ro => "ro",
            Self::Sk => "sk",
            Self::Sl => "sl",
            Self::Sv => "sv",
        }
    }

    /// Exact lower-case code only: this is what forms and the database hold.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's name in itself ("Deutsch", "Français"), for pickers.
    pub fn name(self) -> &'static str {
        VisitorTr::new(self).get("widget.lang.name")
    }

    /// Code and own name of every language, in `ALL` order, for the admin's picker.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL
            .into_iter()
            .map(|l| (l.code(), l.name()))
            .collect()
    }

    fn source(self) -> &'static str {
        macro_rules! catalog {
            ($code:literal) => {
                include_str!(concat!("../../templates/i18n/widget/", $code, ".toml"))
            };
        }
        match self {
            Self::Bg => catalog!("bg"),
            Self::Cs => catalog!("cs"),
            Self::Da => catalog!("da"),
            Self::De => catalog!("de"),
            Self::El => catalog!("el"),
            Self::En => catalog!("en"),
            Self::Es => catalog!("es"),
            Self::Et => catalog!("et"),
            Self::Fi => catalog!("fi"),
            Self::Fr => catalog!("fr"),
            Self::Ga => catalog!("ga"),
            Self::Hr => catalog!("hr"),
            Self::Hu => catalog!("hu"),
            Self::It => catalog!("it"),
            Self::Lt => catalog!("lt"),
            Self::Lv => catalog!("lv"),
            Self::Mt => catalog!("mt"),
            Self::Nl => catalog!("nl"),
            Self::Pl => catalog!("pl"),
            Self::Pt => catalog!("pt"),
            Self::Ro => catalog!("ro"),
            Self::Sk => catalog!("sk"),
            Self::Sl => catalog!("sl"),
            Self::Sv => catalog!("sv"),
        }
    }

    /// The supported language the browser prefers most: highest q wins, the earlier entry
    /// on a tie; region and script subtags are ignored (`de-AT` → de, `pt-BR` → pt);
    /// `q=0` means "not this one". None when no listed language is supported.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, VisitorLang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = 1.0_f32;
            for param in pieces {
                let param = param.trim();
                if let Some(value) = param
                    .strip_prefix("q=")
                    .or_else(|| param.strip_prefix("Q="))
                {
                    // A malformed weight makes the whole entry untrustworthy: skip it.
                    q = match value.trim().parse::<f32>() {
                        Ok(v) if (0.0..=1.0).contains(&v) => v,
                        _ => -1.0,
                    };
                }
            }
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            let Some(lang) = Self::from_code(primary) else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The fallback chain: the browser's language if supported, else the widget's
    /// default language, else German.
    pub fn choose(accept_language: Option<&str>, widget_default: Option<VisitorLang>) -> Self {
        accept_language
            .and_then(Self::from_accept_language)
            .or(widget_default)
            .unwrap_or(Self::FALLBACK)
    }
}

type Catalog = HashMap<String, String>;

fn parse(lang: VisitorLang) -> Result<Catalog, toml::de::Error> {
    toml::from_str(lang.source())
}

fn catalogs() -> &'static HashMap<VisitorLang, Catalog> {
    static CATALOGS: OnceLock<HashMap<VisitorLang, Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        VisitorLang::ALL
            .into_iter()
            .map(|l| {
                // The files are compiled in and a unit test parses each, so this is a
                // build mistake; an empty catalog then falls back to German per key.
                let catalog = parse(l).unwrap_or_else(|e| {
                    tracing::error!(lang = l.code(), error = %e, "widget catalog does not parse");
                    Catalog::new()
                });
                (l, catalog)
            })
            .collect()
    })
}

/// Translator for one visitor language; handed to the widget's templates.
#[derive(Debug, Clone, Copy)]
pub struct VisitorTr {
    pub lang: VisitorLang,
}

impl VisitorTr {
    pub fn new(lang: VisitorLang) -> Self {
        Self { lang }
    }

    fn lookup(&self, key: &str) -> Option<&'static str> {
        let all = catalogs();
        all.get(&self.lang)
            .and_then(|c| c.get(key))
            .or_else(|| all.get(&VisitorLang::FALLBACK).and_then(|c| c.get(key)))
            .map(String::as_str)
    }

    /// The string for `key`; German if this language lacks it, the key itself if German
    /// does too (a test keeps both from happening).
    pub fn get<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.lookup(key).unwrap_or(key)
    }

    /// `get` with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.lookup(key).unwrap_or(key).to_string();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Every string whose key starts with `prefix`, as a JSON object, for scripts that
    /// need many strings at once. Escaping for HTML is the template's job.
    pub fn json(&self, prefix: &str) -> String {
        let mut map = serde_json::Map::new();
        if let Some(reference) = catalogs().get(&VisitorLang::En) {
            let mut keys: Vec<&String> =
                reference.keys().filter(|k| k.starts_with(prefix)).collect();
            keys.sort();
            for key in keys {
                map.insert(key.clone(), self.get(key).into());
            }
        }
        serde_json::Value::Object(map).to_string()
    }
}

#[cfg(test)]
mod tests;
