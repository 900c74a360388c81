//! Frames of the operator console websocket. Ids travel as strings: they exceed the 53 bits
//! a JavaScript number holds exactly.

use crate::chat::MAX_TEXT_CHARS;
use crate::chat::presence::{Availability, OperatorStatus};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Command {
    Open {
        conversation: String,
        /// The reason for the read where the role demands one (`access::reason_needed`).
        #[serde(default)]
        reason: Option<String>,
    },
    Take {
        conversation: String,
    },
    Send {
        conversation: String,
        id: String,
        text: String,
        #[serde(default)]
        note: bool,
    },
    Typing {
        conversation: String,
        active: bool,
    },
    Close {
        conversation: String,
    },
    Transfer {
        conversation: String,
        to: String,
    },
    Availability {
        status: Availability,
    },
}

/// Every command the console socket accepts, by its `type`: the access tests send each one.
/// A new command gets its kind here (a unit test ties this list to the enum) and its
/// decision in `live_socket::on_command`.
pub const COMMAND_KINDS: [&str; 7] = [
    "open",
    "take",
    "send",
    "typing",
    "close",
    "transfer",
    "availability",
];

/// Parses and validates one frame; the error text goes back to the console.
pub fn parse(frame: &str) -> Result<Command, String> {
    let command: Command = serde_json::from_str(frame).map_err(|e| format!("bad frame: {e}"))?;
    if let Command::Send { id, text, .. } = &command {
        let id_ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err("id must be 1-64 characters of A-Z a-z 0-9 - _".into());
        }
        let chars = text.trim().chars().count();
        if chars == 0 || chars > MAX_TEXT_CHARS {
            return Err(format!("text must have 1-{MAX_TEXT_CHARS} characters"));
        }
    }
    Ok(command)
}

pub fn id_of(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub id: String,
    pub status: &'static str,
    pub widget: String,
    pub operator: Option<String>,
    pub operator_name: Option<String>,
    pub updated_at: String,
    pub last_seq: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub seq: i64,
    pub from: &'static str,
    pub staff: Option<String>,
    pub text: String,
    pub at: String,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Push {
    Hello {
        me: String,
        name: String,
    },
    Queue {
        conversations: Vec<QueueEntry>,
    },
    /// The role demands a reason before this conversation opens (`invalid`: the one given
    /// was empty or too long); nothing of it was read.
    #[serde(rename = "reason_needed")]
    ReasonNeeded {
        conversation: String,
        invalid: bool,
    },
    /// Since the last queue: entries added or changed, and ids that left it.
    #[serde(rename = "queue_changed")]
    QueueChanged {
        conversations: Vec<QueueEntry>,
        removed: Vec<String>,
    },
    Transcript {
        conversation: String,
        status: &'static str,
        widget: String,
        operator: Option<String>,
        name: Option<String>,
        email: Option<String>,
        preview: bool,
        lines: Vec<Line>,
        /// The contact's earlier conversations (identity recognition), else empty.
        earlier: Vec<super::identity::Earlier>,
    },
    /// A conversation open in this console changed: its contact as stored now.
    Contact {
        conversation: String,
        name: Option<String>,
        email: Option<String>,
        earlier: Vec<super::identity::Earlier>,
    },
    /// The visitor erased the conversation: the console forgets what it showed.
    Erased {
        conversation: String,
    },
    /// A change of role or teams took the conversation out of this console's scope: the
    /// console forgets what it showed.
    Revoked {
        conversation: String,
    },
    Message {
        conversation: String,
        line: Line,
    },
    Typing {
        conversation: String,
        active: bool,
        visitor: bool,
    },
    Preview {
        conversation: String,
        text: String,
    },
    Operators {
        operators: Vec<OperatorStatus>,
    },
    Ack {
        id: String,
        seq: i64,
        /// The text as stored, when masking changed it (the console shows it instead).
        #[serde(skip_serializing_if = "Option::is_none")]
        masked: Option<String>,
    },
    Error {
        message: String,
    },
}

impl Push {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "{\"type\":\"error\",\"message\":\"internal\"}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive: a new command does not compile until it has a kind here.
    fn kind(c: &Command) -> &'static str {
        match c {
            Command::Open { .. } => "open",
            Command::Take { .. } => "take",
            Command::Send { .. } => "send",
            Command::Typing { .. } => "typing",
            Command::Close { .. } => "close",
            Command::Transfer { .. } => "transfer",
            Command::Availability { .. } => "availability",
        }
    }

    #[test]
    fn commands_are_validated() {
        assert!(parse(r#"{"type":"take","conversation":"12"}"#).is_ok());
        assert!(
            parse(r#"{"type":"send","conversation":"1","id":"a","text":"hi","note":true}"#).is_ok()
        );
        assert!(parse(r#"{"type":"send","conversation":"1","id":"a b","text":"hi"}"#).is_err());
        assert!(parse(r#"{"type":"send","conversation":"1","id":"a","text":" "}"#).is_err());
        assert!(parse(r#"{"type":"nuke"}"#).is_err());
        let samples = [
            r#"{"type":"open","conversation":"1"}"#,
            r#"{"type":"take","conversation":"1"}"#,
            r#"{"type":"send","conversation":"1","id":"a","text":"hi"}"#,
            r#"{"type":"typing","conversation":"1","active":true}"#,
            r#"{"type":"close","conversation":"1"}"#,
            r#"{"type":"transfer","conversation":"1","to":"2"}"#,
            r#"{"type":"availability","status":"away"}"#,
        ];
        let kinds: Vec<&str> = samples.iter().map(|s| kind(&parse(s).unwrap())).collect();
        assert_eq!(kinds, COMMAND_KINDS, "every command is listed");
        assert!(parse("garbage").is_err());
        assert_eq!(id_of("-5"), None);
        assert_eq!(
            id_of("1234567890123456789"),
            Some(1_234_567_890_123_456_789)
        );
    }
}
