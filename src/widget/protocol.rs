//! The visitor websocket protocol, version 1 (see docs/widget-protocol.md). Every inbound
//! frame is parsed into `Inbound` and validated here; nothing else reads raw frames.

use super::lang::VisitorLang;
use crate::chat::MAX_TEXT_CHARS;
use serde::Deserialize;

mod outbound;
pub use outbound::Outbound;

pub const VERSION: u32 = 1;
/// Largest frame accepted, in bytes; larger frames close the socket.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
const MAX_ID_LEN: usize = 64;
const MAX_CONTACT_CHARS: usize = 200;
/// A conversation token is made by the widget itself (so a first message resent after a
/// dropped connection finds its conversation again): 22 base64url characters carry at
/// least 128 random bits; the widget sends 43 (256 bits).
const MIN_TOKEN_LEN: usize = 22;
const MAX_TOKEN_LEN: usize = 64;
/// Longest page or referrer address accepted (after dropping query and fragment).
const MAX_PAGE_CHARS: usize = 2048;

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Raw {
    Hello {
        resume: Option<Resume>,
        page: Option<String>,
        referrer: Option<String>,
    },
    Consent {
        notice: String,
        lang: String,
    },
    Message {
        id: String,
        text: String,
    },
    Typing {
        active: bool,
        text: Option<String>,
    },
    Offline {
        id: String,
        text: String,
        name: Option<String>,
        email: Option<String>,
    },
    Ping,
    Identify {
        name: Option<String>,
        email: Option<String>,
    },
    Data,
    Erase,
    Withdraw,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Resume {
    pub token: String,
    pub after: i64,
}

/// A valid frame from the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// `page` and `referrer` are the embedding page's address and its referrer, without
    /// query and fragment; only kept (in memory until consent) when privacy mode is off.
    Hello {
        resume: Option<Resume>,
        page: Option<String>,
        referrer: Option<String>,
    },
    /// The visitor accepted the notice whose SHA-256 (hex) is `notice`, shown in `lang`.
    Consent {
        notice: String,
        lang: VisitorLang,
    },
    Message {
        id: String,
        text: String,
    },
    Typing {
        active: bool,
        text: Option<String>,
    },
    Offline {
        id: String,
        text: String,
        name: Option<String>,
        email: Option<String>,
    },
    Ping,
    /// Name and/or e-mail address typed into a running chat (at least one).
    Identify {
        name: Option<String>,
        email: Option<String>,
    },
    /// Self-service: show what is stored (with download addresses).
    Data,
    /// Self-service: delete everything about the visitor now.
    Erase,
    /// Self-service: withdraw consent; the widget's withdrawal policy applies.
    Withdraw,
}

/// Why a frame was refused; the code goes to the client in an error frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    BadJson,
    UnsupportedVersion,
    UnknownType,
    BadId,
    BadToken,
    EmptyText,
    TextTooLong,
    BadContact,
    HelloFirst,
    Unexpected,
    RateLimited,
    Closed,
    Unavailable,
    BadPage,
    BadConsent,
    ConsentRequired,
    StaleNotice,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::BadJson => "bad_json",
            Self::UnsupportedVersion => "unsupported_version",
            Self::UnknownType => "unknown_type",
            Self::BadId => "bad_id",
            Self::BadToken => "bad_token",
            Self::EmptyText => "empty_text",
            Self::TextTooLong => "text_too_long",
            Self::BadContact => "bad_contact",
            Self::HelloFirst => "hello_first",
            Self::Unexpected => "unexpected",
            Self::RateLimited => "rate_limited",
            Self::Closed => "closed",
            Self::Unavailable => "unavailable",
            Self::BadPage => "bad_page",
            Self::BadConsent => "bad_consent",
            Self::ConsentRequired => "consent_required",
            Self::StaleNotice => "stale_notice",
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::BadJson => "frame is not a JSON object with a known shape".into(),
            Self::UnsupportedVersion => format!("protocol version must be {VERSION}"),
            Self::UnknownType => "unknown frame type".into(),
            Self::BadId => format!("id must be 1-{MAX_ID_LEN} characters of A-Z a-z 0-9 - _"),
            Self::BadToken => format!(
                "token must be {MIN_TOKEN_LEN}-{MAX_TOKEN_LEN} characters of A-Z a-z 0-9 - _ \
                 and belong to this widget"
            ),
            Self::EmptyText => "text is empty".into(),
            Self::TextTooLong => format!("text is longer than {MAX_TEXT_CHARS} characters"),
            Self::BadContact => format!(
                "name and e-mail have at most {MAX_CONTACT_CHARS} characters; e-mail needs an @; \
                 identify needs at least one of them"
            ),
            Self::HelloFirst => "the first frame must be hello".into(),
            Self::Unexpected => "this frame is not expected now".into(),
            Self::RateLimited => "too many frames; at most 10 per second".into(),
            Self::Closed => "this conversation is closed".into(),
            Self::Unavailable => "the message could not be stored; send it again".into(),
            Self::BadPage => format!(
                "page and referrer must be http(s) addresses of at most {MAX_PAGE_CHARS} characters"
            ),
            Self::BadConsent => {
                "notice must be 64 lower-case hex digits and lang one of the 24 EU language codes"
                    .into()
            }
            Self::ConsentRequired => {
                "the visitor has not accepted the privacy notice; send consent first".into()
            }
            Self::StaleNotice => {
                "the privacy notice has changed; show the current notice and ask again".into()
            }
        }
    }
}

const KNOWN_TYPES: [&str; 10] = [
    "hello", "consent", "message", "typing", "offline", "ping", "identify", "data", "erase",
    "withdraw",
];

pub fn parse(frame: &str) -> Result<Inbound, Refusal> {
    let value: serde_json::Value = serde_json::from_str(frame).map_err(|_| Refusal::BadJson)?;
    let object = value.as_object().ok_or(Refusal::BadJson)?;
    if object.get("v").and_then(serde_json::Value::as_u64) != Some(u64::from(VERSION)) {
        return Err(Refusal::UnsupportedVersion);
    }
    let kind = object
        .get("type")
        .and_then(serde_json::Value::as_str)
        .ok_or(Refusal::BadJson)?;
    if !KNOWN_TYPES.contains(&kind) {
        return Err(Refusal::UnknownType);
    }
    let raw: Raw = serde_json::from_value(value).map_err(|_| Refusal::BadJson)?;
    validate(raw)
}

fn base64url(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn valid_id(id: &str) -> Result<(), Refusal> {
    base64url(id, 1, MAX_ID_LEN)
        .then_some(())
        .ok_or(Refusal::BadId)
}

fn valid_text(text: &str) -> Result<String, Refusal> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Refusal::EmptyText);
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(Refusal::TextTooLong);
    }
    Ok(trimmed.to_string())
}

fn valid_contact(value: Option<String>, email: bool) -> Result<Option<String>, Refusal> {
    let Some(v) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let ok = v.chars().count() <= MAX_CONTACT_CHARS
        && (!email
            || v.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty()));
    ok.then_some(Some(v)).ok_or(Refusal::BadContact)
}

/// An http(s) address without its query and fragment (they often carry personal data);
/// None for none, an error for anything else.
fn valid_page(value: Option<String>) -> Result<Option<String>, Refusal> {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let cut = v.split(['?', '#']).next().unwrap_or("").to_string();
    let ok = (cut.starts_with("https://") || cut.starts_with("http://"))
        && cut.chars().count() <= MAX_PAGE_CHARS
        && !cut.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(Some(cut)).ok_or(Refusal::BadPage)
}

fn validate(raw: Raw) -> Result<Inbound, Refusal> {
    Ok(match raw {
        Raw::Consent { notice, lang } => {
            let hex = notice.len() == 64
                && notice
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            match (hex, VisitorLang::from_code(&lang)) {
                (true, Some(lang)) => Inbound::Consent { notice, lang },
                _ => return Err(Refusal::BadConsent),
            }
        }
        Raw::Hello {
            resume,
            page,
            referrer,
        } => {
            if let Some(r) = &resume {
                if r.after < 0 {
                    return Err(Refusal::BadJson);
                }
                if !base64url(&r.token, MIN_TOKEN_LEN, MAX_TOKEN_LEN) {
                    return Err(Refusal::BadToken);
                }
            }
            Inbound::Hello {
                resume,
                page: valid_page(page)?,
                referrer: valid_page(referrer)?,
            }
        }
        Raw::Message { id, text } => {
            valid_id(&id)?;
            Inbound::Message {
                id,
                text: valid_text(&text)?,
            }
        }
        Raw::Typing { active, text } => {
            let text = text.filter(|t| !t.is_empty());
            if text
                .as_ref()
                .is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS)
            {
                return Err(Refusal::TextTooLong);
            }
            Inbound::Typing { active, text }
        }
        Raw::Offline {
            id,
            text,
            name,
            email,
        } => {
            valid_id(&id)?;
            Inbound::Offline {
                id,
                text: valid_text(&text)?,
                name: valid_contact(name, false)?,
                email: valid_contact(email, true)?,
            }
        }
        Raw::Ping => Inbound::Ping,
        Raw::Identify { name, email } => {
            let name = valid_contact(name, false)?;
            let email = valid_contact(email, true)?;
            if name.is_none() && email.is_none() {
                return Err(Refusal::BadContact);
            }
            Inbound::Identify { name, email }
        }
        Raw::Data => Inbound::Data,
        Raw::Erase => Inbound::Erase,
        Raw::Withdraw => Inbound::Withdraw,
    })
}

#[cfg(test)]
mod tests;
