//! Technical details of a visitor (address, browser, country, page), stored only when the
//! widget's privacy mode is off. Every value is encrypted with the conversation id bound in;
//! the address carries its expiry (24 hours), after which it is never shown and the
//! retention job erases it. Never logs a value.

use super::conversations::ConversationId;
use super::schema::conversation_meta;
use super::{DbConn, DbResult};
use crate::crypto::{FieldRef, KeyRing};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How long a visitor's address may be kept.
pub const IP_RETENTION: TimeDelta = TimeDelta::hours(24);

/// The captured values, each optional (a header may be missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub country: Option<String>,
    pub page_url: Option<String>,
    pub referrer: Option<String>,
}

/// What operators see: the values and until when the address is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeta {
    pub meta: VisitorMeta,
    pub ip_expires_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = conversation_meta)]
struct Row {
    ip_enc: Option<Vec<u8>>,
    ip_expires_at: Option<NaiveDateTime>,
    user_agent_enc: Option<Vec<u8>>,
    browser_enc: Option<Vec<u8>>,
    os_enc: Option<Vec<u8>>,
    country_enc: Option<Vec<u8>>,
    page_url_enc: Option<Vec<u8>>,
    referrer_enc: Option<Vec<u8>>,
}

fn field(id: ConversationId, column: &'static str) -> FieldRef<'static> {
    FieldRef {
        table: "conversation_meta",
        column,
        row_id: id.0,
    }
}

/// Stores the details of a new conversation; call in the transaction that creates it.
pub fn insert(
    conn: &mut DbConn,
    ring: &KeyRing,
    conversation: ConversationId,
    meta: &VisitorMeta,
    now: NaiveDateTime,
) -> DbResult<()> {
    let seal = |v: &Option<String>, column| {
        v.as_deref()
            .map(|t| ring.seal_str(field(conversation, column), t))
            .transpose()
    };
    diesel::insert_into(conversation_meta::table)
        .values((
            conversation_meta::conversation_id.eq(conversation.0),
            conversation_meta::ip_enc.eq(seal(&meta.ip, "ip")?),
            conversation_meta::ip_expires_at.eq(meta.ip.as_ref().map(|_| now + IP_RETENTION)),
            conversation_meta::user_agent_enc.eq(seal(&meta.user_agent, "user_agent")?),
            conversation_meta::browser_enc.eq(seal(&meta.browser, "browser")?),
            conversation_meta::os_enc.eq(seal(&meta.os, "os")?),
            conversation_meta::country_enc.eq(seal(&meta.country, "country")?),
            conversation_meta::page_url_enc.eq(seal(&meta.page_url, "page_url")?),
            conversation_meta::referrer_enc.eq(seal(&meta.referrer, "referrer")?),
            conversation_meta::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The decrypted details of a conversation; an address past its expiry is left out even
/// before the retention job has erased it. Reading this is an access to personal data.
pub fn for_conversation(
    conn: &mut DbConn,
    ring: &KeyRing,
    conversation: ConversationId,
    now: NaiveDateTime,
) -> DbResult<Option<StoredMeta>> {
    let Some(r) = conversation_meta::table
        .find(conversation.0)
        .select(Row::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let open = |v: &Option<Vec<u8>>, column| {
        v.as_deref()
            .map(|c| ring.open_str(field(conversation, column), c))
            .transpose()
    };
    let ip_live = r.ip_expires_at.is_some_and(|t| t > now);
    Ok(Some(StoredMeta {
        meta: VisitorMeta {
            ip: if ip_live {
                open(&r.ip_enc, "ip")?
            } else {
                None
            },
            user_agent: open(&r.user_agent_enc, "user_agent")?,
            browser: open(&r.browser_enc, "browser")?,
            os: open(&r.os_enc, "os")?,
            country: open(&r.country_enc, "country")?,
            page_url: open(&r.page_url_enc, "page_url")?,
            referrer: open(&r.referrer_enc, "referrer")?,
        },
        ip_expires_at: r.ip_expires_at.filter(|_| ip_live),
    }))
}
