//! A widget's privacy settings: the policy link, what a visitor who declines is shown,
//! privacy mode (on by default) and what it forces off, the resumable id and what
//! withdrawing consent does, and how long conversations are kept (`Retention`). Pure
//! validation; never stores anything itself.

use super::settings::FieldError;

const MAX_URL_CHARS: usize = 500;
const MAX_DECLINE_CHARS: usize = 500;

/// What withdrawing consent does to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WithdrawalPolicy {
    /// The conversation and everything about the visitor is erased at once.
    #[default]
    DeleteNow,
    /// The conversation stays (marked withdrawn) until the retention period deletes it.
    KeepUntilRetention,
}

impl WithdrawalPolicy {
    pub const ALL: [Self; 2] = [Self::DeleteNow, Self::KeepUntilRetention];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeleteNow => "delete_now",
            Self::KeepUntilRetention => "keep_until_retention",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// How long a widget's conversations are kept after their last activity (last message,
/// close, transfer); the nightly expiry job (`jobs::expiry`) deletes them afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// 1 to `MAX_MONTHS` months.
    Months(u8),
    /// Kept until staff delete them; the form shows a warning with this choice.
    Never,
}

impl Default for Retention {
    fn default() -> Self {
        Self::Months(12)
    }
}

impl Retention {
    pub const MAX_MONTHS: u8 = 36;

    /// As stored in `widget_privacy.retention_months`: months, or 0 for never.
    pub fn from_stored(months: i32) -> Option<Self> {
        match months {
            0 => Some(Self::Never),
            m => u8::try_from(m)
                .ok()
                .filter(|m| (1..=Self::MAX_MONTHS).contains(m))
                .map(Self::Months),
        }
    }

    pub fn stored(self) -> i32 {
        match self {
            Self::Months(m) => i32::from(m),
            Self::Never => 0,
        }
    }

    /// The form's value: "1" … "36" or "never".
    pub fn form_value(self) -> String {
        match self {
            Self::Months(m) => m.to_string(),
            Self::Never => "never".to_string(),
        }
    }

    /// A form value; empty (an older form or script) means the default.
    pub fn parse_form(value: &str) -> Option<Self> {
        match value.trim() {
            "" => Some(Self::default()),
            "never" => Some(Self::Never),
            m => m
                .parse::<i32>()
                .ok()
                .filter(|m| *m > 0)
                .and_then(Self::from_stored),
        }
    }

    /// Conversations whose last activity is at or before this time have expired at `now`;
    /// `None` for never. Calendar months: 12 months before 2026-03-31 is 2025-03-31, one
    /// month before 2026-03-31 is 2026-02-28.
    pub fn cutoff(self, now: chrono::NaiveDateTime) -> Option<chrono::NaiveDateTime> {
        match self {
            Self::Months(m) => now.checked_sub_months(chrono::Months::new(u32::from(m))),
            Self::Never => None,
        }
    }
}

/// Validated privacy settings. Build them with `enforced` (or through the form) so that
/// privacy mode always wins over the switches it forces off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacySettings {
    /// The company's privacy policy (https), or empty: the notice then shows no link and
    /// the admin form warns.
    pub policy_url: String,
    /// Other ways to reach the company, shown to a visitor who declines.
    pub decline_contact: String,
    /// Stores and shows no technical data about visitors; forces identity recognition and
    /// the live typing preview off.
    pub privacy_mode: bool,
    pub identity_recognition: bool,
    /// After consent the widget keeps its conversation token in the iframe's localStorage.
    pub resumable_id: bool,
    pub withdrawal: WithdrawalPolicy,
    /// How long conversations are kept after their last activity.
    pub retention: Retention,
}

impl Default for PrivacySettings {
    /// Privacy by default: privacy mode on, everything optional off.
    fn default() -> Self {
        Self {
            policy_url: String::new(),
            decline_contact: String::new(),
            privacy_mode: true,
            identity_recognition: false,
            resumable_id: false,
            withdrawal: WithdrawalPolicy::DeleteNow,
            retention: Retention::default(),
        }
    }
}

impl PrivacySettings {
    /// Applies what privacy mode forces off. Every path that builds settings (form,
    /// database row) goes through here, so a stored `true` cannot switch them back on.
    pub fn enforced(mut self) -> Self {
        if self.privacy_mode {
            self.identity_recognition = false;
        }
        self
    }
}

/// The raw privacy fields of the widget form (checkboxes are present or absent).
pub struct PrivacyFields<'a> {
    pub policy_url: &'a str,
    pub decline_contact: &'a str,
    pub privacy_mode: bool,
    pub identity_recognition: bool,
    pub resumable_id: bool,
    pub withdrawal_policy: &'a str,
    /// "1" … "36" or "never"; empty means the default.
    pub retention: &'a str,
}

/// An https address with a host and no spaces, quotes or control characters.
pub fn valid_policy_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    url.chars().count() <= MAX_URL_CHARS
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        && url
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && !"\"'<>\\`".contains(c))
}

pub fn validate(f: &PrivacyFields<'_>, errors: &mut Vec<FieldError>) -> Option<PrivacySettings> {
    let before = errors.len();
    let policy_url = f.policy_url.trim().to_string();
    if !policy_url.is_empty() && !valid_policy_url(&policy_url) {
        errors.push(FieldError {
            field: "privacy_policy_url",
            message: "widgets.error.policy_url",
        });
    }
    let decline_contact = f.decline_contact.trim().to_string();
    if decline_contact.chars().count() > MAX_DECLINE_CHARS {
        errors.push(FieldError {
            field: "decline_contact",
            message: "widgets.error.decline_contact",
        });
    }
    // An absent choice (an older form or script) means the default; anything else must
    // be one of the two.
    let withdrawal = match f.withdrawal_policy.trim() {
        "" => Some(WithdrawalPolicy::default()),
        other => WithdrawalPolicy::parse(other),
    };
    if withdrawal.is_none() {
        errors.push(FieldError {
            field: "withdrawal_policy",
            message: "widgets.error.withdrawal_policy",
        });
    }
    let retention = Retention::parse_form(f.retention);
    if retention.is_none() {
        errors.push(FieldError {
            field: "retention",
            message: "retention.widget.error",
        });
    }
    let (withdrawal, retention) = (withdrawal?, retention?);
    (errors.len() == before).then(|| {
        PrivacySettings {
            policy_url,
            decline_contact,
            privacy_mode: f.privacy_mode,
            identity_recognition: f.identity_recognition,
            resumable_id: f.resumable_id,
            withdrawal,
            retention,
        }
        .enforced()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> PrivacyFields<'static> {
        PrivacyFields {
            policy_url: " https://www.example.de/datenschutz#chat ",
            decline_contact: "Telefon 0800 123 456",
            privacy_mode: true,
            identity_recognition: true,
            resumable_id: true,
            withdrawal_policy: "keep_until_retention",
            retention: "24",
        }
    }

    #[test]
    fn privacy_mode_forces_identity_recognition_off() {
        let mut errors = vec![];
        let s = validate(&fields(), &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(s.policy_url, "https://www.example.de/datenschutz#chat");
        assert!(!s.identity_recognition, "forced off in privacy mode");
        assert!(s.resumable_id);
        assert_eq!(s.withdrawal, WithdrawalPolicy::KeepUntilRetention);
        assert_eq!(s.retention, Retention::Months(24));
        let off = PrivacyFields {
            privacy_mode: false,
            ..fields()
        };
        assert!(validate(&off, &mut errors).unwrap().identity_recognition);
    }

    #[test]
    fn defaults_are_private() {
        let d = PrivacySettings::default();
        assert!(d.privacy_mode && !d.identity_recognition && !d.resumable_id);
        assert_eq!(d.withdrawal, WithdrawalPolicy::DeleteNow);
        let empty = PrivacyFields {
            policy_url: "",
            withdrawal_policy: "",
            ..fields()
        };
        let s = validate(&empty, &mut vec![]).unwrap();
        assert_eq!(
            (s.policy_url.as_str(), s.withdrawal),
            ("", WithdrawalPolicy::DeleteNow)
        );
    }

    #[test]
    fn retention_months_and_never() {
        assert_eq!(Retention::parse_form(""), Some(Retention::Months(12)));
        assert_eq!(Retention::parse_form("1"), Some(Retention::Months(1)));
        assert_eq!(Retention::parse_form("36"), Some(Retention::Months(36)));
        assert_eq!(Retention::parse_form("never"), Some(Retention::Never));
        for r in [
            Retention::Months(1),
            Retention::Months(36),
            Retention::Never,
        ] {
            assert_eq!(Retention::from_stored(r.stored()), Some(r));
            assert_eq!(Retention::parse_form(&r.form_value()), Some(r));
        }
        assert_eq!(Retention::from_stored(37), None);
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            Retention::Months(1).cutoff(at("2026-03-31 10:00")),
            Some(at("2026-02-28 10:00"))
        );
        assert_eq!(
            Retention::Months(12).cutoff(at("2026-03-31 10:00")),
            Some(at("2025-03-31 10:00"))
        );
        assert_eq!(Retention::Never.cutoff(at("2026-03-31 10:00")), None);
    }

    #[test]
    fn bad_fields_are_named() {
        let long = "x".repeat(501);
        type Spoil = fn(&mut PrivacyFields<'static>, &'static str);
        let cases: [(&str, Spoil); 9] = [
            ("retention", |f, _| f.retention = "0"),
            ("retention", |f, _| f.retention = "37"),
            ("retention", |f, _| f.retention = "forever"),
            ("privacy_policy_url", |f, _| {
                f.policy_url = "http://example.de"
            }),
            ("privacy_policy_url", |f, _| {
                f.policy_url = "javascript:alert(1)"
            }),
            ("privacy_policy_url", |f, _| f.policy_url = "https://"),
            ("privacy_policy_url", |f, _| {
                f.policy_url = "https://a.de/\"x"
            }),
            ("decline_contact", |f, long| f.decline_contact = long),
            ("withdrawal_policy", |f, _| f.withdrawal_policy = "forever"),
        ];
        let long: &'static str = Box::leak(long.into_boxed_str());
        for (field, spoil) in cases {
            let mut f = fields();
            spoil(&mut f, long);
            let mut errors = vec![];
            assert!(validate(&f, &mut errors).is_none(), "{field}");
            assert!(
                errors.iter().any(|e| e.field == field),
                "{field}: {errors:?}"
            );
        }
    }
}
