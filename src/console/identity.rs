//! Identity recognition for operators: when the visitor of a conversation gave an e-mail
//! address that a local contact has, and the widget recognises returning visitors (never
//! in privacy mode), the operator sees that contact's earlier conversations with links to
//! their transcripts. Only this installation's own data; nothing is looked up elsewhere.
//! Also tells an operator's console live when a conversation's contact changed or the
//! visitor erased it. The caller has checked the operator's permission to read the
//! conversation; contact data (name, e-mail address, other conversations) is decided here,
//! against the role's contacts area and scope.

use super::live_protocol::Push;
use crate::access::{self, Actor, Area, Permission};
use crate::crypto::KeyRing;
use crate::db::conversations::{self, Conversation, ConversationId};
use crate::db::widgets::Widget;
use crate::db::{DbConn, DbResult, widgets};
use crate::state::AppState;
use serde::Serialize;

/// How many earlier conversations are listed.
const EARLIER_LIMIT: i64 = 20;

/// One earlier conversation of the same contact; ids as strings for JavaScript.
#[derive(Debug, Clone, Serialize)]
pub struct Earlier {
    pub id: String,
    pub widget: String,
    pub status: &'static str,
    /// RFC 3339, for the console's script.
    pub started: String,
    /// As the transcript page shows it.
    pub date: String,
}

/// Whether the widget lets operators recognise returning visitors (forced off in privacy
/// mode when the settings were read).
pub fn recognises(widget: Option<&Widget>) -> bool {
    widget.is_some_and(|w| w.settings.privacy.identity_recognition)
}

/// The earlier conversations operators may see for `c`: none unless the widget recognises
/// returning visitors and the visitor's address matched a contact; only those the actor's
/// scope reaches (`access::require` decides each).
pub fn earlier(
    conn: &mut DbConn,
    c: &Conversation,
    recognised: bool,
    actor: &Actor,
) -> DbResult<Vec<Earlier>> {
    let Some(contact) = c.contact.filter(|_| recognised) else {
        return Ok(Vec::new());
    };
    // A contact's other conversations are contact data: the contacts area decides first.
    if !may_read_contact(conn, c, actor)? {
        return Ok(Vec::new());
    }
    let mut visible = Vec::new();
    for (e, widget) in conversations::of_contact(conn, contact, c.id, EARLIER_LIMIT)? {
        let object = access::conversation(conn, &e)?;
        if access::require(actor, Permission::Read(Area::Conversations), object).is_ok() {
            visible.push((e, widget));
        }
    }
    Ok(visible
        .into_iter()
        .map(|(e, widget)| Earlier {
            id: e.id.0.to_string(),
            widget,
            status: e.status.as_str(),
            started: e
                .created_at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            date: e.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}

/// Whether the actor's role may read the contact data of `c` (contacts area, its scope).
fn may_read_contact(conn: &mut DbConn, c: &Conversation, actor: &Actor) -> DbResult<bool> {
    let object = access::conversation(conn, c)?;
    Ok(access::require(actor, Permission::Read(Area::Contacts), object).is_ok())
}

/// The name and e-mail address the visitor of `c` gave, when the actor's role may read
/// contacts of this conversation; otherwise nothing is decrypted.
pub fn contact(
    conn: &mut DbConn,
    ring: &KeyRing,
    c: &Conversation,
    actor: &Actor,
) -> DbResult<(Option<String>, Option<String>)> {
    if may_read_contact(conn, c, actor)? {
        c.contact(ring)
    } else {
        Ok((None, None))
    }
}

/// What an open conversation's console should be told after it changed: its contact and
/// earlier conversations, or that it is gone (the visitor erased it). `None`: the database
/// could not be read; the next change tries again.
pub async fn after_change(state: &AppState, id: ConversationId, actor: Actor) -> Option<Push> {
    state
        .blocking(move |conn, st| {
            let Some(c) = conversations::by_id(conn, id)? else {
                return Ok(Push::Erased {
                    conversation: id.0.to_string(),
                });
            };
            let widget = widgets::by_id(conn, c.widget)?;
            let (name, email) = contact(conn, &st.ring, &c, &actor)?;
            Ok(Push::Contact {
                conversation: id.0.to_string(),
                name,
                email,
                earlier: earlier(conn, &c, recognises(widget.as_ref()), &actor)?,
            })
        })
        .await
        .ok()
}
