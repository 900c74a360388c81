//! The privacy notice a visitor sees before the chat starts: the admin's text for the
//! visitor's language, or the shipped default. Its version is the SHA-256 of the exact text,
//! so a consent record names the very words that were accepted, and a widget showing an
//! outdated text cannot record consent to it.

use super::lang::{VisitorLang, VisitorTr};
use crate::db::consents::Given;
use crate::db::widgets::WidgetId;
use crate::db::{DbConn, DbResult, notices};

/// The default text's key in the widget catalogs.
pub const DEFAULT_KEY: &str = "widget.consent.notice";
/// Hex digits of the hash shown as the notice's version.
pub const VERSION_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub lang: VisitorLang,
    pub text: String,
    /// SHA-256 of `text`, lower-case hex (64 digits).
    pub hash: String,
    /// The first `VERSION_LEN` digits of `hash`.
    pub version: String,
    /// Whether the admin wrote it (false: the shipped default).
    pub custom: bool,
}

pub fn hash_hex(text: &str) -> String {
    crate::crypto::sha256(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Notice {
    pub fn new(lang: VisitorLang, text: String, custom: bool) -> Self {
        let hash = hash_hex(&text);
        let version = hash.chars().take(VERSION_LEN).collect();
        Self {
            lang,
            text,
            hash,
            version,
            custom,
        }
    }

    /// The shipped default text in this language.
    pub fn default_for(lang: VisitorLang) -> Self {
        Self::new(
            lang,
            VisitorTr::new(lang).get(DEFAULT_KEY).to_string(),
            false,
        )
    }

    /// What a consent record keeps of this notice.
    pub fn given(&self) -> Given {
        Given {
            notice_hash: self.hash.clone(),
            notice_version: self.version.clone(),
            lang: self.lang.code().to_string(),
        }
    }
}

/// The notice a visitor of this widget sees in this language.
pub fn current(conn: &mut DbConn, widget: WidgetId, lang: VisitorLang) -> DbResult<Notice> {
    Ok(match notices::get(conn, widget, lang.code())? {
        Some(text) if !text.trim().is_empty() => Notice::new(lang, text, true),
        _ => Notice::default_for(lang),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_hash_of_the_exact_text() {
        let n = Notice::new(VisitorLang::En, "abc".into(), true);
        // SHA-256("abc") from FIPS 180-2.
        assert_eq!(
            n.hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(n.version, "ba7816bf8f01");
        assert_ne!(
            Notice::new(VisitorLang::En, "abc ".into(), true).hash,
            n.hash
        );
    }

    #[test]
    fn every_language_has_its_own_default_text() {
        let de = Notice::default_for(VisitorLang::De);
        let en = Notice::default_for(VisitorLang::En);
        assert!(!de.custom && de.text.contains("gespeichert"));
        assert_ne!(de.hash, en.hash);
        assert_ne!(en.text, DEFAULT_KEY);
    }
}
