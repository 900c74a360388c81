//! What one operator console socket may see and do, decided by `access::require` for every
//! command and before every event is passed on. Holds the actor (role matrix and teams),
//! every widget's team and every staff member's teams; all re-read when an
//! `AccessChanged` event arrives, so a demoted operator's open socket stops receiving at
//! once. Never decides anything itself.

use crate::access::{self, Actor, Area, Decision, Denied, Object, Permission, Scope};
use crate::chat::presence::OperatorStatus;
use crate::db::conversations::{Conversation, ConversationId};
use crate::db::staff::StaffId;
use crate::db::teams::{self, DEFAULT_TEAM, TeamId};
use crate::db::widgets::WidgetId;
use crate::db::{DbConn, DbResult};
use std::collections::HashMap;

pub const READ: Permission = Permission::Read(Area::Conversations);
pub const EDIT: Permission = Permission::Edit(Area::Conversations);

#[derive(Debug, Clone)]
pub struct SocketAccess {
    actor: Actor,
    widget_teams: HashMap<WidgetId, TeamId>,
    staff_teams: HashMap<StaffId, Vec<TeamId>>,
    /// Widget and operator of the conversations this console has open, as last read.
    open: HashMap<ConversationId, (WidgetId, Option<StaffId>)>,
}

impl SocketAccess {
    /// Reads everything for `me`; `None` when the account is gone.
    pub fn load(conn: &mut DbConn, me: StaffId) -> DbResult<Option<Self>> {
        let Some(actor) = Actor::reload(conn, me)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            actor,
            widget_teams: teams::of_widgets(conn)?,
            staff_teams: teams::memberships(conn)?,
            open: HashMap::new(),
        }))
    }

    /// Takes over freshly read facts, keeping what this console has open.
    pub fn refresh(&mut self, fresh: SocketAccess) {
        let open = std::mem::take(&mut self.open);
        *self = SocketAccess { open, ..fresh };
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Whether the socket may stay open at all: the console needs conversations "edit".
    pub fn may_use_console(&self) -> bool {
        access::require(&self.actor, EDIT, Object::None).is_ok()
    }

    /// The conversation as `access` sees it (its widget's team, its operator).
    pub fn object_of(&self, c: &Conversation) -> Object {
        self.object(c.id, c.widget, c.operator)
    }

    fn object(&self, id: ConversationId, widget: WidgetId, operator: Option<StaffId>) -> Object {
        Object::Conversation {
            id,
            team: self
                .widget_teams
                .get(&widget)
                .copied()
                .unwrap_or(DEFAULT_TEAM),
            operator,
        }
    }

    /// Decides a command or a push about a conversation as just read from the database,
    /// and remembers its widget and operator for the events that follow.
    pub fn decide(&mut self, permission: Permission, c: &Conversation) -> Result<Decision, Denied> {
        self.open.insert(c.id, (c.widget, c.operator));
        access::require(
            &self.actor,
            permission,
            self.object(c.id, c.widget, c.operator),
        )
    }

    /// Decides an event about an open conversation from what was last read of it;
    /// a conversation never decided here is not passed on.
    pub fn may_receive(&self, id: ConversationId) -> bool {
        self.open.get(&id).is_some_and(|(widget, operator)| {
            access::require(&self.actor, READ, self.object(id, *widget, *operator)).is_ok()
        })
    }

    pub fn forget(&mut self, id: ConversationId) {
        self.open.remove(&id);
    }

    /// Whether the queue may list the conversation.
    pub fn may_list(&self, c: &Conversation) -> bool {
        access::require(&self.actor, READ, self.object(c.id, c.widget, c.operator)).is_ok()
    }

    /// The widgets a full queue is read from (`None`: all), so its limit counts only
    /// conversations this console may see.
    pub fn narrowing(&self) -> Option<Vec<WidgetId>> {
        access::narrowing(&self.actor, READ, &self.widget_teams)
    }

    /// The operators offered for transfer: those who share a team with this one (everyone
    /// for a role whose scope is "all"). Whether the chosen one may take over a particular
    /// conversation is decided again by `transfer_target`.
    pub fn filter_operators(&self, list: Vec<OperatorStatus>) -> Vec<OperatorStatus> {
        if self.actor.grant(Area::Conversations).scope == Scope::All {
            return list;
        }
        list.into_iter()
            .filter(|o| {
                let Some(id) = o.id.parse::<i64>().ok().map(StaffId) else {
                    return false;
                };
                id == self.actor.staff
                    || self
                        .staff_teams
                        .get(&id)
                        .is_some_and(|t| t.iter().any(|team| self.actor.in_team(*team)))
            })
            .collect()
    }
}

/// Whether `target` may take over `c` (as stored now): the transfer is refused otherwise.
pub fn transfer_target(conn: &mut DbConn, target: StaffId, c: &Conversation) -> DbResult<bool> {
    let Some(actor) = Actor::reload(conn, target)? else {
        return Ok(false);
    };
    let object = access::conversation(conn, c)?;
    Ok(access::require(&actor, EDIT, object).is_ok())
}
