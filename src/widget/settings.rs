//! A widget's settings as an admin enters them, validated field by field.

use crate::widget::lang::VisitorLang;
use crate::widget::privacy::{self, PrivacyFields, PrivacySettings};

pub const MAX_ORIGINS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    BottomRight,
    BottomLeft,
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BottomRight => "bottom-right",
            Self::BottomLeft => "bottom-left",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bottom-right" => Some(Self::BottomRight),
            "bottom-left" => Some(Self::BottomLeft),
            _ => None,
        }
    }
}

/// Validated settings, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetSettings {
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub greeting: String,
    pub accent_color: String,
    pub position: Position,
    pub default_lang: VisitorLang,
    /// Always false in privacy mode (see `enforced`).
    pub typing_preview: bool,
    pub privacy: PrivacySettings,
}

impl WidgetSettings {
    /// Applies what privacy mode forces off: the live typing preview and identity
    /// recognition. Enforced on the server whenever settings are built, not by the form.
    pub fn enforced(mut self) -> Self {
        self.privacy = self.privacy.enforced();
        if self.privacy.privacy_mode {
            self.typing_preview = false;
        }
        self
    }
}

/// The raw form fields. Checkboxes are present ("on") or absent; the privacy fields may be
/// absent altogether (older scripts), which means their defaults, except the checkboxes.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WidgetForm {
    pub name: String,
    pub allowed_origins: String,
    pub greeting: String,
    pub accent_color: String,
    pub position: String,
    pub default_lang: String,
    pub typing_preview: Option<String>,
    #[serde(default)]
    pub privacy_policy_url: String,
    #[serde(default)]
    pub decline_contact: String,
    pub privacy_mode: Option<String>,
    pub identity_recognition: Option<String>,
    pub resumable_id: Option<String>,
    #[serde(default)]
    pub withdrawal_policy: String,
    /// "1" … "36" months or "never" (`privacy::Retention`); empty: the default.
    #[serde(default)]
    pub retention: String,
}

/// One field that is wrong, and the i18n key of what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

fn err(field: &'static str, message: &'static str) -> FieldError {
    FieldError { field, message }
}

/// "https://shop.example.de" or "http://localhost:3000": scheme and host, no path.
pub fn normalise_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = raw.split_once("://")?;
    if !matches!(scheme, "https" | "http") || rest.is_empty() {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !rest.ends_with(']') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = host.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '[')
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    (host_ok && port_ok).then_some(raw)
}

impl WidgetForm {
    /// Validates every field; all errors at once, so the form can show each next to its field.
    pub fn validate(&self) -> Result<WidgetSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(err("name", "widgets.error.name"));
        }
        let mut origins = Vec::new();
        for line in self
            .allowed_origins
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            match normalise_origin(line) {
                Some(o) if !origins.contains(&o) => origins.push(o),
                Some(_) => {}
                None => {
                    errors.push(err("allowed_origins", "widgets.error.origin"));
                    break;
                }
            }
        }
        if origins.is_empty() || origins.len() > MAX_ORIGINS {
            errors.push(err("allowed_origins", "widgets.error.origins_count"));
        }
        let greeting = self.greeting.trim().to_string();
        if greeting.chars().count() > 500 {
            errors.push(err("greeting", "widgets.error.greeting"));
        }
        let color = self.accent_color.trim().to_ascii_lowercase();
        let color_ok = color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !color_ok {
            errors.push(err("accent_color", "widgets.error.color"));
        }
        let position = Position::parse(&self.position);
        if position.is_none() {
            errors.push(err("position", "widgets.error.position"));
        }
        let lang = VisitorLang::from_code(&self.default_lang);
        if lang.is_none() {
            errors.push(err("default_lang", "widgets.error.lang"));
        }
        let privacy = privacy::validate(
            &PrivacyFields {
                policy_url: &self.privacy_policy_url,
                decline_contact: &self.decline_contact,
                privacy_mode: self.privacy_mode.is_some(),
                identity_recognition: self.identity_recognition.is_some(),
                resumable_id: self.resumable_id.is_some(),
                withdrawal_policy: &self.withdrawal_policy,
                retention: &self.retention,
            },
            &mut errors,
        );
        match (position, lang, privacy) {
            (Some(position), Some(default_lang), Some(privacy)) if errors.is_empty() => {
                Ok(WidgetSettings {
                    name,
                    allowed_origins: origins,
                    greeting,
                    accent_color: color,
                    position,
                    default_lang,
                    typing_preview: self.typing_preview.is_some(),
                    privacy,
                }
                .enforced())
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> WidgetForm {
        WidgetForm {
            name: "Shop".into(),
            allowed_origins: "https://shop.example.de\nhttp://localhost:3000/\n".into(),
            greeting: "Hallo!".into(),
            accent_color: "#0B5CAD".into(),
            position: "bottom-right".into(),
            default_lang: "de".into(),
            typing_preview: None,
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_validates_and_normalises() {
        let s = form().validate().unwrap();
        assert_eq!(
            s.allowed_origins,
            ["https://shop.example.de", "http://localhost:3000"]
        );
        assert_eq!(s.accent_color, "#0b5cad");
        assert!(!s.typing_preview);
        assert!(!s.privacy.privacy_mode, "an absent checkbox is off");
    }

    #[test]
    fn privacy_mode_forces_the_typing_preview_off() {
        let mut f = form();
        f.typing_preview = Some("on".into());
        f.identity_recognition = Some("on".into());
        assert!(f.validate().unwrap().typing_preview);
        f.privacy_mode = Some("on".into());
        let s = f.validate().unwrap();
        assert!(s.privacy.privacy_mode);
        assert!(!s.typing_preview && !s.privacy.identity_recognition);
        let mut sneaky = s.clone();
        sneaky.typing_preview = true;
        assert!(!sneaky.enforced().typing_preview);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut WidgetForm);
        let cases: [(&str, Spoil); 7] = [
            ("name", |f| f.name = " ".into()),
            ("allowed_origins", |f| f.allowed_origins = "ftp://x".into()),
            ("allowed_origins", |f| {
                f.allowed_origins = "https://shop.example.de/path x".into()
            }),
            ("allowed_origins", |f| f.allowed_origins = String::new()),
            ("accent_color", |f| f.accent_color = "red".into()),
            ("position", |f| f.position = "top".into()),
            ("default_lang", |f| f.default_lang = "xx".into()),
        ];
        for (field, spoil) in cases {
            let mut f = form();
            spoil(&mut f);
            let errors = f.validate().unwrap_err();
            assert!(
                errors.iter().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }

    #[test]
    fn origins() {
        assert_eq!(
            normalise_origin("HTTPS://Shop.Example.de/"),
            Some("https://shop.example.de".into())
        );
        assert_eq!(
            normalise_origin("https://shop.example.de:8443"),
            Some("https://shop.example.de:8443".into())
        );
        assert_eq!(
            normalise_origin("https://[::1]:8443"),
            Some("https://[::1]:8443".into())
        );
        for bad in [
            "shop.example.de",
            "https://",
            "https://a/b",
            "javascript://x",
            "https://a:0",
            "https://a:99999",
            "https://a b",
        ] {
            assert_eq!(normalise_origin(bad), None, "{bad}");
        }
    }
}
