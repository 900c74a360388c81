//! What an exported table holds: one row per conversation with its transcript in one cell
//! (`Layout::Transcript`, the default), or one row per message (`Layout::Messages`). Both
//! CSV and Excel take the same rows. Every text cell is neutralised against formula
//! injection (`neutralise`), in CSV and in Excel alike: Excel keeps a string cell a string,
//! but a sheet saved again as CSV would not.

use crate::access::{self, Actor, Area, Object, Permission};
use crate::crypto::KeyRing;
use crate::db::conversations::{self, Conversation, ConversationId};
use crate::db::messages::{self, Message, Sender};
use crate::db::schema::conversations as table;
use crate::db::staff::{self, StaffId};
use crate::db::teams::{self, TeamId};
use crate::db::widgets::{self, WidgetId};
use crate::db::{DbConn, DbResult};
use crate::i18n::Tr;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;

/// One cell: text, or a count (a number cell in Excel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(i64),
}

/// How the transcript is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One row per conversation; the transcript as "[time] sender: text" lines in one cell.
    Transcript,
    /// One row per message (conversation id, number, time, sender, operator, text).
    Messages,
}

impl Layout {
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "conversations" => Some(Self::Transcript),
            "messages" => Some(Self::Messages),
            _ => None,
        }
    }
}

/// A value that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one) gets a leading apostrophe, which shows it as text.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

fn text(value: &str) -> Cell {
    Cell::Text(neutralise(value).into_owned())
}

fn when(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Column headers in the actor's language.
pub fn headers(layout: Layout, t: Tr) -> Vec<&'static str> {
    let keys: &[&'static str] = match layout {
        Layout::Transcript => &[
            "export.col.conversation",
            "export.col.widget",
            "export.col.team",
            "export.col.started",
            "export.col.closed",
            "export.col.status",
            "export.col.operator",
            "export.col.name",
            "export.col.email",
            "export.col.contact",
            "export.col.messages",
            "export.col.transcript",
        ],
        Layout::Messages => &[
            "export.col.conversation",
            "export.col.seq",
            "export.col.time",
            "export.col.sender",
            "export.col.operator",
            "export.col.text",
        ],
    };
    keys.iter().map(|k| t.get(k)).collect()
}

/// Names that do not change during an export: widgets, teams, staff (as staff see them,
/// by user name). Read once per export.
pub struct Lookup {
    widgets: HashMap<WidgetId, String>,
    widget_teams: HashMap<WidgetId, TeamId>,
    teams: HashMap<TeamId, String>,
    staff: HashMap<StaffId, String>,
}

impl Lookup {
    pub fn load(conn: &mut DbConn) -> DbResult<Self> {
        Ok(Self {
            widgets: widgets::list(conn)?
                .into_iter()
                .map(|w| (w.id, w.settings.name))
                .collect(),
            widget_teams: teams::of_widgets(conn)?,
            teams: teams::list(conn)?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect(),
            staff: staff::list(conn)?
                .into_iter()
                .map(|s| (s.id, s.username))
                .collect(),
        })
    }

    fn team(&self, widget: WidgetId) -> TeamId {
        self.widget_teams
            .get(&widget)
            .copied()
            .unwrap_or(teams::DEFAULT_TEAM)
    }

    fn staff(&self, id: Option<StaffId>) -> &str {
        id.and_then(|s| self.staff.get(&s))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The conversation as an object of `access::require`.
    pub fn object(&self, c: &Conversation) -> Object {
        Object::Conversation {
            id: c.id,
            team: self.team(c.widget),
            operator: c.operator,
        }
    }
}

/// One conversation, decrypted, ready to be written.
pub struct Loaded {
    pub conversation: Conversation,
    closed_at: Option<NaiveDateTime>,
    /// Only when the actor's role may read this conversation's contact data.
    name: Option<String>,
    email: Option<String>,
    messages: Vec<Message>,
}

/// Messages read per query; a conversation is read in pages, all of it.
const MESSAGE_PAGE: i64 = 1_000;

/// Loads and decrypts one conversation for the actor; `None` when it is gone or outside
/// the actor's scope (decided before anything is decrypted). The visitor's name and
/// address only with the contacts area, as on the transcript page; internal notes are
/// included (staff see them on the transcript page too).
pub fn load(
    conn: &mut DbConn,
    ring: &KeyRing,
    actor: &Actor,
    lookup: &Lookup,
    id: ConversationId,
) -> DbResult<Option<Loaded>> {
    let Some(c) = conversations::by_id(conn, id)? else {
        return Ok(None);
    };
    let object = lookup.object(&c);
    if access::require(actor, Permission::Read(Area::Conversations), object.clone()).is_err() {
        return Ok(None);
    }
    let (name, email) = if access::require(actor, Permission::Read(Area::Contacts), object).is_ok()
    {
        c.contact(ring)?
    } else {
        (None, None)
    };
    let closed_at = table::table
        .find(id.0)
        .select(table::closed_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten();
    let mut messages = Vec::new();
    loop {
        let after = messages.last().map_or(0, |m: &Message| m.seq);
        let page = messages::after(conn, ring, id, after, true, MESSAGE_PAGE)?;
        let done = page.len() < usize::try_from(MESSAGE_PAGE).unwrap_or(usize::MAX);
        messages.extend(page);
        if done {
            break;
        }
    }
    Ok(Some(Loaded {
        conversation: c,
        closed_at,
        name,
        email,
        messages,
    }))
}

/// Who wrote a message, as staff read it: "Besucher", "Operator (anna)", "Notiz (anna)".
fn sender(m: &Message, lookup: &Lookup, t: Tr) -> String {
    let who = lookup.staff(m.staff);
    let label = |key| {
        if who.is_empty() {
            t.get(key).to_string()
        } else {
            format!("{} ({who})", t.get(key))
        }
    };
    match m.sender {
        Sender::Visitor => t.get("export.sender.visitor").to_string(),
        Sender::Operator => label("export.sender.operator"),
        Sender::Note => label("export.sender.note"),
    }
}

/// The row of `Layout::Transcript`.
pub fn conversation_row(l: &Loaded, lookup: &Lookup, t: Tr) -> Vec<Cell> {
    let c = &l.conversation;
    let mut transcript = String::new();
    for m in &l.messages {
        if !transcript.is_empty() {
            transcript.push('\n');
        }
        transcript.push_str(&format!(
            "[{}] {}: {}",
            when(m.created_at),
            sender(m, lookup, t),
            m.text
        ));
    }
    let status = t.get(match c.status {
        conversations::Status::Waiting => "console.status.waiting",
        conversations::Status::Active => "console.status.active",
        conversations::Status::Offline => "console.status.offline",
        conversations::Status::Closed => "console.status.closed",
    });
    vec![
        Cell::Text(c.id.0.to_string()),
        text(lookup.widgets.get(&c.widget).map_or("", String::as_str)),
        text(
            lookup
                .teams
                .get(&lookup.team(c.widget))
                .map_or("", String::as_str),
        ),
        Cell::Text(when(c.created_at)),
        Cell::Text(l.closed_at.map(when).unwrap_or_default()),
        text(status),
        text(lookup.staff(c.operator)),
        text(l.name.as_deref().unwrap_or("")),
        text(l.email.as_deref().unwrap_or("")),
        Cell::Text(c.contact.map(|k| k.0.to_string()).unwrap_or_default()),
        Cell::Count(i64::try_from(l.messages.len()).unwrap_or(i64::MAX)),
        text(&transcript),
    ]
}

/// The rows of `Layout::Messages`.
pub fn message_rows<'a>(
    l: &'a Loaded,
    lookup: &'a Lookup,
    t: Tr,
) -> impl Iterator<Item = Vec<Cell>> + 'a {
    l.messages.iter().map(move |m| {
        vec![
            Cell::Text(l.conversation.id.0.to_string()),
            Cell::Count(m.seq),
            Cell::Text(when(m.created_at)),
            text(&sender(m, lookup, t)),
            text(lookup.staff(m.staff)),
            text(&m.text),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_nothing_else() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        for good in ["Grüße", "a=b", " =1", "", "'quoted", "1-2"] {
            assert_eq!(neutralise(good), good);
        }
    }
}
