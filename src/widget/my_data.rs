//! What is stored about the visitor of one conversation, gathered for the visitor's own
//! eyes: shown in the chat, downloaded as JSON or as a readable HTML page. Only the holder
//! of the conversation (its token, on its socket) reaches this. Internal staff notes are
//! not part of it: the visitor never sees them in the chat either. Never logs a value.

use crate::crypto::KeyRing;
use crate::db::conversations::{self, ConversationId};
use crate::db::messages::{self, Sender};
use crate::db::{DbConn, DbResult, consents, visitor_meta};
use crate::widget::lang::{VisitorLang, VisitorTr};
use askama::Template;
use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};

/// More messages than any real chat has; the export is bounded all the same.
const MAX_MESSAGES: i64 = 20_000;

fn rfc3339<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::socket::at(*t))
}

fn rfc3339_opt<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MyData {
    pub conversation: String,
    #[serde(serialize_with = "rfc3339")]
    pub started_at: NaiveDateTime,
    pub status: &'static str,
    pub name: Option<String>,
    pub email: Option<String>,
    pub consents: Vec<ConsentData>,
    /// None: nothing technical is stored (privacy mode).
    pub technical: Option<Technical>,
    pub messages: Vec<MessageData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsentData {
    #[serde(serialize_with = "rfc3339")]
    pub given_at: NaiveDateTime,
    pub notice_version: String,
    pub notice_hash: String,
    pub lang: String,
    #[serde(serialize_with = "rfc3339_opt")]
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Technical {
    /// Only while it is kept (24 hours at most).
    pub ip: Option<String>,
    #[serde(serialize_with = "rfc3339_opt")]
    pub ip_kept_until: Option<NaiveDateTime>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub country: Option<String>,
    pub page: Option<String>,
    pub referrer: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageData {
    pub seq: i64,
    pub from: &'static str,
    /// An operator's reply: the name the operator shows visitors (none: "Operator").
    pub operator: Option<String>,
    pub text: String,
    #[serde(serialize_with = "rfc3339")]
    pub at: NaiveDateTime,
}

/// Everything stored about the visitor of this conversation; `None` when it is gone.
pub fn load(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ConversationId,
    now: NaiveDateTime,
) -> DbResult<Option<MyData>> {
    let Some(c) = conversations::by_id(conn, id)? else {
        return Ok(None);
    };
    let (name, email) = c.contact(ring)?;
    let consents = consents::for_conversation(conn, id)?
        .into_iter()
        .map(|c| ConsentData {
            given_at: c.given_at,
            notice_version: c.given.notice_version,
            notice_hash: c.given.notice_hash,
            lang: c.given.lang,
            withdrawn_at: c.withdrawn_at,
        })
        .collect();
    let technical = visitor_meta::for_conversation(conn, ring, id, now)?.map(|s| Technical {
        ip: s.meta.ip,
        ip_kept_until: s.ip_expires_at,
        browser: s.meta.browser,
        os: s.meta.os,
        country: s.meta.country,
        page: s.meta.page_url,
        referrer: s.meta.referrer,
        user_agent: s.meta.user_agent,
    });
    let mut shown = crate::widget::operator::ShownCache::default();
    let messages = messages::after(conn, ring, id, 0, false, MAX_MESSAGES)?
        .into_iter()
        .map(|m| {
            let operator = match (m.sender, m.staff) {
                (Sender::Operator, Some(staff)) => shown.get(conn, ring, staff)?.name,
                _ => None,
            };
            Ok(MessageData {
                seq: m.seq,
                from: if m.sender == Sender::Visitor {
                    "visitor"
                } else {
                    "operator"
                },
                operator,
                text: m.text,
                at: m.created_at,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(MyData {
        conversation: c.id.0.to_string(),
        started_at: c.created_at,
        status: c.status.as_str(),
        name,
        email,
        consents,
        technical,
        messages,
    }))
}

/// The language to present the data in: the one the visitor accepted the notice in.
pub fn lang_of(data: &MyData, fallback: VisitorLang) -> VisitorLang {
    data.consents
        .first()
        .and_then(|c| VisitorLang::from_code(&c.lang))
        .unwrap_or(fallback)
}

/// The page's only style, inline so that the saved file needs nothing else; the response
/// allows exactly this block by its hash.
pub const PAGE_CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
color:#1d2430;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d9dee7}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}\
dd{margin:0;overflow-wrap:anywhere}ol{list-style:none;padding:0}\
li{margin:.5rem 0;padding:.5rem .75rem;border-radius:10px;background:#f4f6f9;\
white-space:pre-wrap;overflow-wrap:anywhere}li.visitor{background:#e6effa}\
.who{display:block;font-size:.8rem;color:#5b6575}.muted{color:#5b6575}\
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}";

/// `'sha256-…'` of `PAGE_CSS`, for the page's Content-Security-Policy.
pub fn css_source() -> String {
    use base64::Engine as _;
    let digest = crate::crypto::sha256(PAGE_CSS.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[derive(Template)]
#[template(path = "widget/my_data.html")]
struct Page<'a> {
    t: VisitorTr,
    d: &'a MyData,
    widget: &'a str,
    css: &'static str,
    created: String,
}

/// The readable page: every value escaped by askama, no script, no outside resource.
pub fn html(
    data: &MyData,
    widget: &str,
    lang: VisitorLang,
    now: NaiveDateTime,
) -> Result<String, askama::Error> {
    Page {
        t: VisitorTr::new(lang),
        d: data,
        widget,
        css: PAGE_CSS,
        created: now.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
    .render()
}

/// A stored time as the page shows it.
fn when(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

impl MyData {
    pub fn started(&self) -> String {
        when(&self.started_at)
    }
}

impl ConsentData {
    pub fn given(&self) -> String {
        when(&self.given_at)
    }

    pub fn withdrawn(&self) -> Option<String> {
        self.withdrawn_at.as_ref().map(when)
    }

    /// The language's own name and code, e.g. "Deutsch (de)".
    pub fn language(&self) -> String {
        VisitorLang::from_code(&self.lang)
            .map(|l| format!("{} ({})", l.name(), l.code()))
            .unwrap_or_else(|| self.lang.clone())
    }
}

impl Technical {
    pub fn ip_until(&self) -> Option<String> {
        self.ip_kept_until.as_ref().map(when)
    }
}

impl MessageData {
    pub fn when(&self) -> String {
        when(&self.at)
    }
}
