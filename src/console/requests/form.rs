//! The two forms of the register, parsed and checked: a new request and a request's
//! changes. A refused field names itself and the i18n key of its message; nothing is
//! written until every field is good.

use crate::db::contacts::ContactId;
use crate::db::dsr::{Change, NewRequest};
use crate::db::staff::StaffId;
use crate::dsr::due::{Extension, ExtensionError};
use crate::dsr::{Channel, Kind, Status};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

/// Longest subject reference (a name and an address fit well within it).
pub const MAX_SUBJECT: usize = 200;
/// Longest notes.
pub const MAX_NOTES: usize = 4000;
/// Longest refusal reason.
pub const MAX_REASON: usize = 1000;
/// How far back a receipt may lie: a request older than this cannot be answered in time
/// any more, and is most likely a typo.
const MAX_AGE_DAYS: i64 = 3 * 366;

/// A refused field: its name and the i18n key of the message.
pub type FieldError = (&'static str, &'static str);

/// The new-request form as typed (also echoed back when refused).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewForm {
    pub csrf: Option<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub received: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub handler: String,
    #[serde(default)]
    pub notes: String,
}

/// The change form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EditForm {
    pub csrf: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub refusal_reason: String,
    #[serde(default)]
    pub handler: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub extension: String,
    #[serde(default)]
    pub extension_reason: String,
    #[serde(default)]
    pub notes: String,
}

fn text(value: &str, max: usize, name: &'static str) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    let bad = |c: char| c.is_control() && c != '\n' && c != '\r' && c != '\t';
    if v.chars().count() > max || v.chars().any(bad) {
        return Err((name, "requests.error.too_long"));
    }
    Ok((!v.is_empty()).then(|| v.to_string()))
}

/// An id typed into a form: empty is none; anything but a positive number is refused.
fn id(value: &str, name: &'static str, key: &'static str) -> Result<Option<i64>, FieldError> {
    let v = value.trim().trim_start_matches('#');
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err((name, key)),
    }
}

/// The handler chosen: one of `handlers`, or none.
fn handler(value: &str, handlers: &[StaffId]) -> Result<Option<StaffId>, FieldError> {
    let chosen = id(value, "handler", "requests.error.handler")?.map(StaffId);
    match chosen {
        Some(h) if !handlers.contains(&h) => Err(("handler", "requests.error.handler")),
        other => Ok(other),
    }
}

pub struct ParsedNew {
    pub kind: Kind,
    pub channel: Channel,
    pub received: NaiveDateTime,
    pub subject: String,
    pub contact: Option<ContactId>,
    pub handler: Option<StaffId>,
    pub notes: Option<String>,
}

impl ParsedNew {
    pub fn as_new(&self) -> NewRequest<'_> {
        NewRequest {
            kind: self.kind,
            channel: self.channel,
            received: self.received,
            handler: self.handler,
            subject: &self.subject,
            contact: self.contact,
            notes: self.notes.as_deref(),
        }
    }
}

impl NewForm {
    pub fn parse(&self, today: NaiveDate, handlers: &[StaffId]) -> Result<ParsedNew, FieldError> {
        let kind = Kind::parse(&self.kind).ok_or(("kind", "requests.error.kind"))?;
        let channel = Channel::parse(&self.channel)
            .filter(|c| *c != Channel::ChatSelfService)
            .ok_or(("channel", "requests.error.channel"))?;
        let received = NaiveDate::parse_from_str(self.received.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= today && (today - *d).num_days() <= MAX_AGE_DAYS)
            .ok_or(("received", "requests.error.received"))?;
        let subject = text(&self.subject, MAX_SUBJECT, "subject")?
            .ok_or(("subject", "requests.error.subject"))?;
        Ok(ParsedNew {
            kind,
            channel,
            received: received.and_time(chrono::NaiveTime::MIN),
            subject,
            contact: id(&self.contact, "contact", "requests.error.contact")?.map(ContactId),
            handler: handler(&self.handler, handlers)?,
            notes: text(&self.notes, MAX_NOTES, "notes")?,
        })
    }
}

impl EditForm {
    pub fn parse(
        &self,
        handlers: &[StaffId],
        current: Option<StaffId>,
    ) -> Result<Change, FieldError> {
        let status = Status::parse(&self.status).ok_or(("status", "requests.error.status"))?;
        let refusal_reason = text(&self.refusal_reason, MAX_REASON, "refusal_reason")?;
        if status == Status::Refused && refusal_reason.is_none() {
            return Err(("refusal_reason", "requests.error.refusal_reason"));
        }
        let months = match self.extension.trim() {
            "" | "0" => 0,
            "1" => 1,
            "2" => 2,
            _ => return Err(("extension", "requests.error.extension_months")),
        };
        let extension = if months == 0 {
            None
        } else {
            match Extension::new(months, &self.extension_reason) {
                Ok(e) => Some(e),
                Err(ExtensionError::TooLong) => {
                    return Err(("extension", "requests.error.extension_months"));
                }
                Err(ExtensionError::NoReason) => {
                    return Err(("extension_reason", "requests.error.extension_reason"));
                }
                Err(ExtensionError::BadReason) => {
                    return Err(("extension_reason", "requests.error.too_long"));
                }
            }
        };
        // A handler whose role no longer reaches the register may stay; nobody new is
        // chosen from outside the list.
        let typed = id(&self.handler, "handler", "requests.error.handler")?.map(StaffId);
        let handler = match typed {
            Some(h) if !handlers.contains(&h) && typed != current => {
                return Err(("handler", "requests.error.handler"));
            }
            other => other,
        };
        Ok(Change {
            status,
            refusal_reason,
            handler,
            contact: id(&self.contact, "contact", "requests.error.contact")?.map(ContactId),
            extension,
            notes: text(&self.notes, MAX_NOTES, "notes")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 2, 10).unwrap()
    }

    fn good() -> NewForm {
        NewForm {
            kind: "erasure".into(),
            channel: "email".into(),
            received: "2027-01-31".into(),
            subject: " Erika Mustermann, erika@example.de ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_request_is_checked_field_by_field() {
        let ok = good().parse(today(), &[]).unwrap();
        assert_eq!(ok.subject, "Erika Mustermann, erika@example.de");
        assert_eq!(ok.kind, Kind::Erasure);
        let refused = |f: NewForm| f.parse(today(), &[StaffId(5)]).err().map(|e| e.0);
        assert_eq!(
            refused(NewForm {
                subject: "  ".into(),
                ..good()
            }),
            Some("subject")
        );
        assert_eq!(
            refused(NewForm {
                kind: "delete".into(),
                ..good()
            }),
            Some("kind")
        );
        let channel = "chat_self_service".into();
        assert_eq!(refused(NewForm { channel, ..good() }), Some("channel"));
        let future = "2027-02-11".into();
        assert_eq!(
            refused(NewForm {
                received: future,
                ..good()
            }),
            Some("received")
        );
        let garbage = "31.01.2027".into();
        assert_eq!(
            refused(NewForm {
                received: garbage,
                ..good()
            }),
            Some("received")
        );
        let contact = "abc".into();
        assert_eq!(refused(NewForm { contact, ..good() }), Some("contact"));
        let handler = "7".into();
        assert_eq!(refused(NewForm { handler, ..good() }), Some("handler"));
        let handler = "5".into();
        assert_eq!(refused(NewForm { handler, ..good() }), None);
    }

    #[test]
    fn an_extension_without_a_reason_and_a_refusal_without_one_are_refused() {
        let form = |status: &str, ext: &str, reason: &str| EditForm {
            status: status.into(),
            extension: ext.into(),
            extension_reason: reason.into(),
            ..Default::default()
        };
        let err = |f: EditForm| f.parse(&[], None).err().map(|e| e.0);
        assert_eq!(err(form("open", "1", "")), Some("extension_reason"));
        assert_eq!(err(form("open", "3", "complex")), Some("extension"));
        assert_eq!(err(form("refused", "0", "")), Some("refusal_reason"));
        assert_eq!(err(form("answered", "2", "complex")), None);
        assert_eq!(err(form("done", "0", "")), Some("status"));
    }
}
