//! A routing rule as the admin types it (`RuleForm`), checked and normalised (`RuleSpec`,
//! what is stored) and compiled (`Rule`, what matches, with its pattern precompiled).
//! Every mistake names its field; nothing here sees a visitor's data.

use super::codes;
use super::device::Device;
use crate::db::widgets::{Widget, WidgetId};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;

/// Longest URL pattern, user-agent fragment and code list an admin may enter.
const MAX_PATTERN: usize = 500;
const MAX_UA: usize = 200;
const MAX_CODES: usize = 50;
/// Compiled-regex memory bound: a pathological pattern fails to compile instead of
/// eating memory; matching itself is linear in the URL length with the `regex` crate.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The form fields, as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    pub url_kind: String,
    #[serde(default)]
    pub url_pattern: String,
    #[serde(default)]
    pub ua_contains: String,
    #[serde(default)]
    pub device: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub country: String,
    /// The public id of the widget to show.
    #[serde(default)]
    pub target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    Prefix,
    Glob,
    Regex,
}

impl UrlKind {
    pub const ALL: [UrlKind; 3] = [UrlKind::Prefix, UrlKind::Glob, UrlKind::Regex];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prefix => "prefix",
            Self::Glob => "glob",
            Self::Regex => "regex",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A checked rule: what `db::route_rules` stores. Empty strings and lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub url_kind: UrlKind,
    pub url_pattern: String,
    pub ua_contains: String,
    pub device: Option<Device>,
    pub langs: Vec<String>,
    pub countries: Vec<String>,
    pub target: WidgetId,
}

/// One mistake in a form: the field, an i18n key, and a technical detail (regex errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: &'static str,
    pub message: &'static str,
    pub detail: Option<String>,
}

fn err(field: &'static str, message: &'static str) -> RuleError {
    RuleError {
        field,
        message,
        detail: None,
    }
}

/// How a rule matches the page address.
#[derive(Debug, Clone)]
pub enum UrlMatch {
    Any,
    Prefix(String),
    /// A glob compiled into an anchored regex.
    Glob(Regex),
    Regex(Regex),
}

/// `*` is any run of characters (slashes included), `?` one character. Brackets, braces
/// and backslashes are refused rather than silently taken literally.
pub fn compile_glob(pattern: &str) -> Result<Regex, &'static str> {
    if pattern.contains(['[', ']', '{', '}', '\\']) {
        return Err("router.error.glob");
    }
    let mut re = String::with_capacity(pattern.len() * 2 + 2);
    re.push('^');
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            other => re.push_str(&regex::escape(other.encode_utf8(&mut [0; 4]))),
        }
    }
    re.push('$');
    RegexBuilder::new(&re)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|_| "router.error.glob")
}

pub fn compile_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// The regex crate's message ends in a line "error: …"; the lines above repeat the pattern
/// with a caret, which a one-line form hint cannot show well.
fn regex_detail(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(&text)
        .to_string()
}

pub fn compile_url(kind: UrlKind, pattern: &str) -> Result<UrlMatch, RuleError> {
    if pattern.is_empty() {
        return Ok(UrlMatch::Any);
    }
    match kind {
        UrlKind::Prefix => Ok(UrlMatch::Prefix(pattern.to_string())),
        UrlKind::Glob => compile_glob(pattern)
            .map(UrlMatch::Glob)
            .map_err(|m| err("url_pattern", m)),
        UrlKind::Regex => compile_regex(pattern)
            .map(UrlMatch::Regex)
            .map_err(|e| RuleError {
                field: "url_pattern",
                message: "router.error.regex",
                detail: Some(regex_detail(&e)),
            }),
    }
}

/// "de, FR ;it" → ["de", "fr", "it"] in the case `normalise` gives; refuses unknown codes.
fn code_list(
    raw: &str,
    normalise: fn(&str) -> String,
    known: fn(&str) -> bool,
) -> Result<Vec<String>, ()> {
    let mut out: Vec<String> = Vec::new();
    for piece in raw.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        let code = normalise(piece.trim());
        if !known(&code) {
            return Err(());
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > MAX_CODES {
        return Err(());
    }
    Ok(out)
}

impl RuleForm {
    /// Checks every field against the widgets that exist; all errors at once.
    pub fn validate(&self, widgets: &[Widget]) -> Result<RuleSpec, Vec<RuleError>> {
        let mut errors = Vec::new();
        let url_kind = UrlKind::parse(self.url_kind.trim());
        if url_kind.is_none() {
            errors.push(err("url_kind", "router.error.url_kind"));
        }
        let url_pattern = self.url_pattern.trim().to_string();
        if url_pattern.chars().count() > MAX_PATTERN || url_pattern.contains(char::is_control) {
            errors.push(err("url_pattern", "router.error.too_long"));
        } else if let Some(kind) = url_kind {
            if let Err(e) = compile_url(kind, &url_pattern) {
                errors.push(e);
            }
        }
        let ua_contains = self.ua_contains.trim().to_string();
        if ua_contains.chars().count() > MAX_UA || ua_contains.contains(char::is_control) {
            errors.push(err("ua_contains", "router.error.too_long"));
        }
        let device = match self.device.trim() {
            "" => None,
            other => {
                let parsed = Device::parse(other);
                if parsed.is_none() {
                    errors.push(err("device", "router.error.device"));
                }
                parsed
            }
        };
        let langs = code_list(&self.lang, |s| s.to_ascii_lowercase(), codes::is_language)
            .unwrap_or_else(|()| {
                errors.push(err("lang", "router.error.lang"));
                vec![]
            });
        let countries = code_list(&self.country, |s| s.to_ascii_uppercase(), codes::is_country)
            .unwrap_or_else(|()| {
                errors.push(err("country", "router.error.country"));
                vec![]
            });
        let target = widgets
            .iter()
            .find(|w| w.public_id == self.target.trim())
            .map(|w| w.id);
        if target.is_none() {
            errors.push(err("target", "router.error.target"));
        }
        match (url_kind, target) {
            (Some(url_kind), Some(target)) if errors.is_empty() => Ok(RuleSpec {
                url_kind,
                url_pattern,
                ua_contains,
                device,
                langs,
                countries,
                target,
            }),
            _ => Err(errors),
        }
    }
}

/// A rule ready to match: patterns compiled, texts lower-cased once.
#[derive(Debug, Clone)]
pub struct Rule {
    pub url: UrlMatch,
    pub ua_contains: Option<String>,
    pub device: Option<Device>,
    pub langs: Vec<String>,
    pub countries: Vec<String>,
    pub target: WidgetId,
}

impl Rule {
    pub fn compile(spec: &RuleSpec) -> Result<Self, RuleError> {
        Ok(Self {
            url: compile_url(spec.url_kind, &spec.url_pattern)?,
            ua_contains: (!spec.ua_contains.is_empty()).then(|| spec.ua_contains.to_lowercase()),
            device: spec.device,
            langs: spec.langs.clone(),
            countries: spec.countries.clone(),
            target: spec.target,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::settings::WidgetForm;

    fn widget(id: i64, public_id: &str) -> Widget {
        let settings = WidgetForm {
            name: "W".into(),
            allowed_origins: "https://shop.example.de".into(),
            accent_color: "#0b5cad".into(),
            position: "bottom-right".into(),
            default_lang: "de".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e:?}"));
        Widget {
            id: WidgetId(id),
            public_id: public_id.into(),
            settings,
        }
    }

    fn form(kind: &str, pattern: &str) -> RuleForm {
        RuleForm {
            url_kind: kind.into(),
            url_pattern: pattern.into(),
            target: "pub-b".into(),
            ..Default::default()
        }
    }

    fn fields(r: Result<RuleSpec, Vec<RuleError>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn good_rules_are_normalised() {
        let widgets = [widget(1, "pub-a"), widget(2, "pub-b")];
        let mut f = form("glob", " https://shop.example.de/*/kontakt ");
        f.lang = "DE, fr;de".into();
        f.country = "de at".into();
        f.device = "mobile".into();
        f.ua_contains = " Firefox ".into();
        let spec = f.validate(&widgets).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(spec.url_pattern, "https://shop.example.de/*/kontakt");
        assert_eq!(spec.langs, ["de", "fr"]);
        assert_eq!(spec.countries, ["DE", "AT"]);
        assert_eq!(spec.device, Some(Device::Mobile));
        assert_eq!(spec.ua_contains, "Firefox");
        assert_eq!(spec.target, WidgetId(2));
        // Empty conditions are allowed: the rule matches every page.
        assert!(form("prefix", "").validate(&widgets).is_ok());
    }

    #[test]
    fn bad_rules_name_their_field() {
        let widgets = [widget(2, "pub-b")];
        let bad_regex = form("regex", "([a-z");
        let errors = bad_regex.validate(&widgets).err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "url_pattern");
        assert!(
            errors[0]
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("unclosed")
        );
        assert_eq!(
            fields(form("glob", "/shop/[ab]").validate(&widgets)),
            ["url_pattern"]
        );
        assert_eq!(fields(form("fuzzy", "/x").validate(&widgets)), ["url_kind"]);
        let mut f = form("prefix", "/");
        f.target = "nope".into();
        assert_eq!(fields(f.validate(&widgets)), ["target"]);
        let mut f = form("prefix", "/");
        f.device = "phone".into();
        f.lang = "deu".into();
        f.country = "DE, XX".into();
        f.ua_contains = "x".repeat(201);
        assert_eq!(
            fields(f.validate(&widgets)),
            ["ua_contains", "device", "lang", "country"]
        );
        assert_eq!(
            fields(form("prefix", &"a".repeat(501)).validate(&widgets)),
            ["url_pattern"]
        );
    }

    #[test]
    fn globs_are_anchored_and_literal() {
        let g = compile_glob("https://shop.example.de/*.html").unwrap_or_else(|e| panic!("{e}"));
        assert!(g.is_match("https://shop.example.de/de/kontakt.html"));
        assert!(!g.is_match("https://shop.example.de/de/kontakt.htm"));
        assert!(
            !g.is_match("https://shop-example.de/x.html"),
            "dot is literal"
        );
        assert!(!g.is_match("xhttps://shop.example.de/a.html"), "anchored");
        let q = compile_glob("/a?c").unwrap_or_else(|e| panic!("{e}"));
        assert!(q.is_match("/abc") && !q.is_match("/abbc"));
    }
}
