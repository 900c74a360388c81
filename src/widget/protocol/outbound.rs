//! Frames to the visitor (docs/widget-protocol.md). Serialised here and nowhere else.

use super::{Refusal, VERSION};
use crate::widget::my_data::MyData;
use serde::Serialize;

/// Frames to the visitor.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Outbound {
    Welcome {
        v: u32,
        available: bool,
        greeting: String,
        typing_preview: bool,
        resumed: bool,
    },
    /// The consent is accepted for this socket; `version` is the notice's short version.
    Consented {
        v: u32,
        version: String,
    },
    Started {
        v: u32,
        token: String,
    },
    Ack {
        v: u32,
        id: String,
        seq: i64,
        at: String,
    },
    /// The visitor's message `id` was masked before it was stored (card numbers, IBANs,
    /// the admin's patterns): `text` is what was stored and shown, `kinds` what was masked.
    Masked {
        v: u32,
        id: String,
        text: String,
        kinds: Vec<&'static str>,
    },
    Message {
        v: u32,
        seq: i64,
        from: &'static str,
        text: String,
        at: String,
        id: Option<String>,
        /// An operator's reply: the name and avatar the operator chose to show visitors
        /// (`db::operator_profiles::shown_to_visitors`; never the real name behind an alias).
        #[serde(skip_serializing_if = "Option::is_none")]
        operator: Option<crate::db::operator_profiles::ShownOperator>,
    },
    Typing {
        v: u32,
        active: bool,
    },
    Availability {
        v: u32,
        available: bool,
    },
    Closed {
        v: u32,
    },
    Error {
        v: u32,
        code: &'static str,
        message: String,
    },
    Pong {
        v: u32,
    },
    /// The name and e-mail address from `identify` are stored.
    Identified {
        v: u32,
    },
    /// What is stored about the visitor of this socket's conversation (`data` null: none),
    /// with one-time download addresses (a few minutes valid) for JSON and HTML.
    Data {
        v: u32,
        data: Option<Box<MyData>>,
        json_url: Option<String>,
        html_url: Option<String>,
    },
    /// Everything about the visitor is deleted; the server closes the socket next.
    Erased {
        v: u32,
    },
    /// Consent is withdrawn and the chat has ended; `deleted` tells whether the data went
    /// at once (else it stays until the retention period ends). The socket closes next.
    Withdrawn {
        v: u32,
        deleted: bool,
    },
}

impl Outbound {
    pub fn error(refusal: Refusal) -> Self {
        Self::Error {
            v: VERSION,
            code: refusal.code(),
            message: refusal.message(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "{\"type\":\"error\",\"code\":\"internal\"}".into())
    }
}
