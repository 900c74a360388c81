//! Downloads of a visitor's own data. The visitor socket, which holds the conversation,
//! mints one-time tickets valid for a few minutes; `GET /widget/data?t=TICKET` answers
//! once with JSON or a readable HTML page and forgets the ticket. The conversation token
//! never appears in an address (the request log writes the path without the query, and
//! the ticket is worthless after its one use). Tickets live in memory only, keyed by
//! their SHA-256, and never name anything but the conversation id.

use super::my_data;
use crate::db::conversations::ConversationId;
use crate::db::widgets;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use crate::widget::lang::VisitorLang;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a download address works.
pub const TICKET_LIFETIME: TimeDelta = TimeDelta::minutes(5);
/// Bound on tickets held at once (two per conversation at most).
const MAX_TICKETS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

#[derive(Debug, Clone, Copy)]
struct Ticket {
    conversation: ConversationId,
    format: Format,
    lang: VisitorLang,
    expires: DateTime<Utc>,
}

/// The tickets of this process.
#[derive(Default)]
pub struct Downloads {
    tickets: Mutex<HashMap<Vec<u8>, Ticket>>,
}

impl Downloads {
    /// A new one-time ticket for this conversation's data; `None` when too many are open
    /// or the random source failed.
    pub fn mint(
        &self,
        conversation: ConversationId,
        format: Format,
        lang: VisitorLang,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let secret = crate::auth::random_token().ok()?;
        let mut tickets = self.tickets.lock().ok()?;
        // A new ticket replaces the conversation's earlier one of the same format: at most
        // two per conversation, however often the visitor asks.
        tickets.retain(|_, t| {
            t.expires > now && !(t.conversation == conversation && t.format == format)
        });
        if tickets.len() >= MAX_TICKETS {
            return None;
        }
        let ticket = Ticket {
            conversation,
            format,
            lang,
            expires: now + TICKET_LIFETIME,
        };
        tickets.insert(crate::crypto::sha256(secret.as_bytes()), ticket);
        Some(secret)
    }

    /// Takes a ticket: it works once, and only before it expires.
    fn take(&self, secret: &str, now: DateTime<Utc>) -> Option<Ticket> {
        let ticket = self
            .tickets
            .lock()
            .ok()?
            .remove(&crate::crypto::sha256(secret.as_bytes()))?;
        (ticket.expires > now).then_some(ticket)
    }

    /// Drops every ticket of a conversation (it was erased).
    pub fn revoke(&self, conversation: ConversationId) {
        if let Ok(mut tickets) = self.tickets.lock() {
            tickets.retain(|_, t| t.conversation != conversation);
        }
    }
}

/// The address a ticket is fetched from (relative to plauder's origin).
pub fn url(secret: &str) -> String {
    format!("/widget/data?t={secret}")
}

pub fn mount(r: &mut Routes<'_>) {
    r.get("/widget/data", Rule::Public, download);
}

#[derive(Deserialize)]
struct Query {
    t: String,
}

async fn download(
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let secret = query.into_inner().t;
    let well_formed = (22..=64).contains(&secret.len())
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(AppError::BadRequest(
            "t must be a download ticket: 22-64 characters of A-Z a-z 0-9 - _".into(),
        ));
    }
    let now = state.clock.now();
    // Unknown, used and expired tickets look the same.
    let ticket = state
        .downloads
        .take(&secret, now)
        .ok_or(AppError::NotFound)?;
    let id = ticket.conversation;
    let loaded = state
        .blocking(move |conn, st| {
            let Some(data) = my_data::load(conn, &st.ring, id, st.clock.naive())? else {
                return Ok(None);
            };
            let widget = conn_widget_name(conn, id)?;
            Ok(Some((data, widget)))
        })
        .await?;
    let (data, widget) = loaded.ok_or(AppError::NotFound)?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("Cross-Origin-Resource-Policy", "same-origin"));
    match ticket.format {
        Format::Json => {
            let body = serde_json::to_string_pretty(&data)
                .map_err(|e| AppError::Internal(format!("export: {e}")))?;
            Ok(response
                .content_type("application/json; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"my-chat-data.json\"",
                ))
                .body(body))
        }
        Format::Html => {
            let lang = my_data::lang_of(&data, ticket.lang);
            let body = my_data::html(&data, &widget, lang, state.clock.naive())?;
            let csp = format!(
                "default-src 'none'; style-src {}; frame-ancestors 'none'; form-action 'none'; \
                 base-uri 'none'",
                my_data::css_source()
            );
            Ok(response
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CONTENT_SECURITY_POLICY, csp))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"my-chat-data.html\"",
                ))
                .body(body))
        }
    }
}

fn conn_widget_name(
    conn: &mut crate::db::DbConn,
    id: ConversationId,
) -> crate::db::DbResult<String> {
    let Some(c) = crate::db::conversations::by_id(conn, id)? else {
        return Ok(String::new());
    };
    Ok(widgets::by_id(conn, c.widget)?
        .map(|w| w.settings.name)
        .unwrap_or_default())
}
