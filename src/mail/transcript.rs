//! The transcript a customer gets by mail: what they saw in the widget, nothing more. Their
//! own messages and the operators' replies with times; operators named by
//! `db::operator_profiles::shown_to_visitors` (an alias stays an alias); internal notes
//! never. In the conversation's language (the one its privacy notice was accepted in):
//! German, English for any other visitor language, German when unknown.

use crate::crypto::KeyRing;
use crate::db::conversations::Conversation;
use crate::db::messages::{self, Sender};
use crate::db::staff::StaffId;
use crate::db::{DbConn, DbResult, consents, operator_profiles, widgets};
use crate::i18n::{Lang, Tr};
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// More messages than any real chat; the mail stays bounded.
const MAX_LINES: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Visitor,
    /// The name visitors were shown, or none (then "Support", as in the widget).
    Operator(Option<String>),
}

#[derive(Debug, Clone)]
pub struct Line {
    pub who: Who,
    pub text: String,
    pub at: NaiveDateTime,
}

/// Everything the mail says, decrypted, for one conversation with an e-mail address.
#[derive(Debug, Clone)]
pub struct Transcript {
    pub to: String,
    pub lang: Lang,
    pub widget: String,
    pub started: NaiveDateTime,
    pub lines: Vec<Line>,
}

/// The mail language for a visitor language code.
pub fn mail_lang(visitor_lang: Option<&str>) -> Lang {
    match visitor_lang {
        None | Some("") | Some("de") => Lang::De,
        Some(_) => Lang::En,
    }
}

/// Reads the transcript of `c` for mailing; `None` when the visitor left no e-mail address.
/// The caller has checked access and writes the audit entry in the same transaction.
pub fn load(conn: &mut DbConn, ring: &KeyRing, c: &Conversation) -> DbResult<Option<Transcript>> {
    let (_, email) = c.contact(ring)?;
    let Some(to) = email.filter(|e| !e.trim().is_empty()) else {
        return Ok(None);
    };
    let consent = consents::for_conversation(conn, c.id)?;
    let lang = mail_lang(consent.first().map(|k| k.given.lang.as_str()));
    let widget = widgets::by_id(conn, c.widget)?
        .map(|w| w.settings.name)
        .unwrap_or_default();
    let mut names: HashMap<StaffId, Option<String>> = HashMap::new();
    let mut lines = Vec::new();
    for m in messages::after(conn, ring, c.id, 0, false, MAX_LINES)? {
        let who = match m.sender {
            Sender::Visitor => Who::Visitor,
            Sender::Operator => {
                let name = match m.staff {
                    Some(staff) => match names.get(&staff) {
                        Some(n) => n.clone(),
                        None => {
                            let n = operator_profiles::shown_to_visitors(conn, ring, staff)?.name;
                            names.insert(staff, n.clone());
                            n
                        }
                    },
                    None => None,
                };
                Who::Operator(name)
            }
            // Internal notes are for staff; `after(.., false, ..)` leaves them out already.
            Sender::Note => continue,
        };
        lines.push(Line {
            who,
            text: m.text,
            at: m.created_at,
        });
    }
    Ok(Some(Transcript {
        to: to.trim().to_string(),
        lang,
        widget,
        started: c.created_at,
        lines,
    }))
}

/// Subject and body of the transcript mail.
pub fn render(t: &Transcript) -> (String, String) {
    let tr = Tr::new(t.lang);
    let date = t.started.format("%Y-%m-%d").to_string();
    let subject = if t.widget.is_empty() {
        tr.fill("mail.transcript.subject_plain", &[("date", &date)])
    } else {
        tr.fill(
            "mail.transcript.subject",
            &[("widget", &t.widget), ("date", &date)],
        )
    };
    let mut body = String::new();
    body.push_str(tr.get("mail.transcript.greeting"));
    body.push_str("\n\n");
    body.push_str(&tr.fill("mail.transcript.intro", &[("date", &date)]));
    body.push_str("\n\n");
    for line in &t.lines {
        let who = match &line.who {
            Who::Visitor => tr.get("mail.transcript.you").to_string(),
            Who::Operator(Some(name)) => name.clone(),
            Who::Operator(None) => tr.get("mail.transcript.operator").to_string(),
        };
        body.push_str(&format!(
            "[{}] {who}:\n",
            line.at.format("%Y-%m-%d %H:%M UTC")
        ));
        for text_line in line.text.lines() {
            body.push_str("  ");
            body.push_str(text_line);
            body.push('\n');
        }
        body.push('\n');
    }
    if t.lines.is_empty() {
        body.push_str(tr.get("mail.transcript.empty"));
        body.push_str("\n\n");
    }
    body.push_str("-- \n");
    body.push_str(tr.get("mail.transcript.footer"));
    body.push('\n');
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(h, 5, 0)
            .unwrap()
    }

    #[test]
    fn languages() {
        assert_eq!(mail_lang(None), Lang::De);
        assert_eq!(mail_lang(Some("de")), Lang::De);
        assert_eq!(mail_lang(Some("en")), Lang::En);
        assert_eq!(mail_lang(Some("fr")), Lang::En);
    }

    #[test]
    fn body_names_operators_as_visitors_saw_them() {
        let t = Transcript {
            to: "erika@example.org".into(),
            lang: Lang::De,
            widget: "Shop".into(),
            started: at(9),
            lines: vec![
                Line {
                    who: Who::Visitor,
                    text: "Hallo\nzweite Zeile".into(),
                    at: at(9),
                },
                Line {
                    who: Who::Operator(Some("Kim".into())),
                    text: "Guten Tag".into(),
                    at: at(10),
                },
                Line {
                    who: Who::Operator(None),
                    text: "Tschüss".into(),
                    at: at(11),
                },
            ],
        };
        let (subject, body) = render(&t);
        assert!(
            subject.contains("Shop") && subject.contains("2026-11-26"),
            "{subject}"
        );
        assert!(
            body.contains("[2026-11-26 09:05 UTC] Sie:\n  Hallo\n  zweite Zeile\n"),
            "{body}"
        );
        assert!(
            body.contains("[2026-11-26 10:05 UTC] Kim:\n  Guten Tag"),
            "{body}"
        );
        assert!(
            body.contains("[2026-11-26 11:05 UTC] Support:\n  Tschüss"),
            "{body}"
        );
        let en = render(&Transcript {
            lang: Lang::En,
            ..t
        })
        .1;
        assert!(en.contains("] You:\n"), "{en}");
    }
}
