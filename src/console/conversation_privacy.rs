//! What the console shows about a conversation's consent and, for widgets without privacy
//! mode, the visitor's technical details. Reading them is an access to personal data; the
//! handler that calls this has already checked the operator's permission.

use crate::crypto::KeyRing;
use crate::db::conversations::ConversationId;
use crate::db::{DbConn, DbResult, consents, visitor_meta};
use crate::i18n::Tr;
use crate::widget::lang::VisitorLang;
use chrono::NaiveDateTime;

/// One line of the technical details: label and value, ready to show.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// Consent lines and technical details, rendered in the operator's language.
pub struct PrivacyFacts {
    pub consents: Vec<String>,
    /// None: nothing stored (privacy mode, or a conversation from before).
    pub details: Option<Vec<Fact>>,
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn load(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ConversationId,
    now: NaiveDateTime,
    t: Tr,
) -> DbResult<PrivacyFacts> {
    let consents = consents::for_conversation(conn, id)?
        .into_iter()
        .map(|c| {
            let lang = VisitorLang::from_code(&c.given.lang)
                .map(|l| format!("{} ({})", l.name(), l.code()))
                .unwrap_or(c.given.lang);
            let mut line = t.fill(
                "transcript.consent_given",
                &[
                    ("version", &c.given.notice_version),
                    ("lang", &lang),
                    ("at", &time(c.given_at)),
                ],
            );
            if let Some(w) = c.withdrawn_at {
                line = format!(
                    "{line}; {}",
                    t.fill("transcript.consent_withdrawn", &[("at", &time(w))])
                );
            }
            line
        })
        .collect();
    let details = visitor_meta::for_conversation(conn, ring, id, now)?.map(|stored| {
        let m = stored.meta;
        let unknown = || t.get("transcript.meta.unknown").to_string();
        let ip = match (m.ip, stored.ip_expires_at) {
            (Some(ip), Some(until)) => format!(
                "{ip} ({})",
                t.fill("transcript.meta.ip_until", &[("at", &time(until))])
            ),
            _ => t.get("transcript.meta.ip_expired").to_string(),
        };
        let fact = |label: &'static str, value: Option<String>| Fact {
            label: t.get(label),
            value: value.unwrap_or_else(unknown),
        };
        vec![
            fact("transcript.meta.browser", m.browser),
            fact("transcript.meta.os", m.os),
            fact("transcript.meta.country", m.country),
            fact("transcript.meta.page", m.page_url),
            fact("transcript.meta.referrer", m.referrer),
            Fact {
                label: t.get("transcript.meta.ip"),
                value: ip,
            },
            fact("transcript.meta.user_agent", m.user_agent),
        ]
    });
    Ok(PrivacyFacts { consents, details })
}
