//! Building a mail: UTF-8 text/plain (lettre picks 7bit, quoted-printable or base64 by the
//! text), the subject RFC 2047-encoded when it is not ASCII, Date from the injected clock,
//! and a random Message-ID under the sender's domain (not this machine's host name).

use super::MailError;
use lettre::Address;
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use std::time::SystemTime;

/// One plain-text mail to one recipient.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub date: SystemTime,
}

/// The recipient must be a bare address (no display name, no list): anything else is refused
/// before the relay is contacted.
pub fn recipient(to: &str) -> Result<Address, MailError> {
    let to = to.trim();
    if to.is_empty() || to.len() > 254 || to.chars().any(|c| c.is_control() || c == ',') {
        return Err(MailError::Message("not a single e-mail address".into()));
    }
    to.parse::<Address>()
        .map_err(|_| MailError::Message("not a valid e-mail address".into()))
}

/// The mail as it goes to the relay.
pub fn build(from: &Mailbox, out: Outgoing) -> Result<Message, MailError> {
    let to = recipient(&out.to)?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(out.subject)
        .date(out.date)
        .message_id(Some(message_id(from)?))
        .header(ContentType::TEXT_PLAIN)
        .body(out.body)
        .map_err(|e| MailError::Message(e.to_string()))
}

fn message_id(from: &Mailbox) -> Result<String, MailError> {
    let random = crate::crypto::random_bytes::<16>()
        .map_err(|e| MailError::Message(format!("no random bytes: {e}")))?;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("<{hex}.plauder@{}>", from.email.domain()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        "Kundenservice <chat@example.de>".parse().unwrap()
    }

    #[test]
    fn utf8_text_and_encoded_subject() {
        let out = Outgoing {
            to: "erika@example.org".into(),
            subject: "Ihr Verlauf – Grüße".into(),
            body: "Grüße aus Köln\n.\nEnde".into(),
            date: SystemTime::UNIX_EPOCH,
        };
        let raw = String::from_utf8(build(&from(), out).unwrap().formatted()).unwrap();
        assert!(raw.contains("To: erika@example.org"), "{raw}");
        let subject = raw.lines().find(|l| l.starts_with("Subject: ")).unwrap();
        assert!(subject.contains("=?utf-8?b?"), "RFC 2047: {subject}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Transfer-Encoding: quoted-printable")
                || raw.contains("Content-Transfer-Encoding: base64"),
            "{raw}"
        );
        assert!(
            raw.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"),
            "{raw}"
        );
        assert!(raw.contains(".plauder@example.de>"), "{raw}");
        assert!(!raw.contains("Grüße"), "8-bit text is encoded: {raw}");
    }

    #[test]
    fn only_one_plain_address_is_a_recipient() {
        for bad in [
            "",
            "a@b.de, c@d.de",
            "Erika <erika@example.org>",
            "erika@example.org\r\nBcc: x@y.de",
            "kein-at-zeichen",
        ] {
            assert!(recipient(bad).is_err(), "{bad:?}");
        }
        assert!(recipient(" erika@example.org ").is_ok());
    }
}
