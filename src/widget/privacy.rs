//! A widget's privacy settings: the policy link, what a visitor who declines is shown,
//! privacy mode (on by default) and what it forces off, the resumable id and what
//! withdrawing consent does. Pure validation; never stores anything itself.

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
    let withdrawal = withdrawal?;
    (errors.len() == before).then(|| {
        PrivacySettings {
            policy_url,
            decline_contact,
            privacy_mode: f.privacy_mode,
            identity_recognition: f.identity_recognition,
            resumable_id: f.resumable_id,
            withdrawal,
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
    fn bad_fields_are_named() {
        let long = "x".repeat(501);
        type Spoil = fn(&mut PrivacyFields<'static>, &'static str);
        let cases: [(&str, Spoil); 6] = [
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
