//! The one place that decides who may do what: `require(actor, permission, object)`.
//!
//! Every staff route declares its permission where it is mounted (`http::routes`), and a
//! guard calls `require` with `Object::None` before the handler runs; handlers call it again
//! with the object they loaded (a conversation, a contact, an account, a matrix to grant),
//! and the operator console socket calls it for each command and before each event it
//! passes on. Nothing else decides access.
//!
//! Rules: a disabled account may do nothing; the role's level in the permission's area
//! must reach the permission's level; an object outside the role's scope (own / team / all)
//! is *hidden* — the caller answers exactly as for an object that does not exist (404, or
//! "unknown conversation" on the socket); an account or matrix that exceeds the actor's own
//! matrix is *forbidden*: nobody grants a permission they do not hold.
//!
//! The seam for the audit log: `require` returns a `Decision` when access is granted and a
//! `Denied` (which carries the `Decision`) when it is not. A decision names the actor, the
//! permission, the object's kind and id and the outcome, and never personal data, so it can
//! be written to the audit log as it is. Hooking the log in here (or where callers receive
//! the decision) covers every route and socket command without touching them.
//!
//! Never put a role name check (`is_admin`) in a handler instead of calling `require`.

mod actor;
pub mod matrix;
mod reason;

pub use actor::Actor;
pub use matrix::{Area, Grant, Level, Matrix, Scope};
pub use reason::{outside_own, reason_needed, typed_reason};

use crate::db::contacts::ContactId;
use crate::db::conversations::{Conversation, ConversationId};
use crate::db::roles::RoleId;
use crate::db::staff::StaffId;
use crate::db::teams::{self, TeamId};
use crate::db::widgets::WidgetId;
use crate::db::{DbConn, DbResult};
use std::collections::HashMap;

/// What a request asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Anything every active account may do: its own overview, language, signing out.
    SignedIn,
    /// See what an area holds.
    Read(Area),
    /// Change what an area holds (includes reading it).
    Edit(Area),
}

impl Permission {
    /// The area and the level the permission needs; `None` for `SignedIn`.
    pub fn needs(self) -> Option<(Area, Level)> {
        match self {
            Self::SignedIn => None,
            Self::Read(area) => Some((area, Level::Read)),
            Self::Edit(area) => Some((area, Level::Edit)),
        }
    }
}

/// What the permission is asked for. Conversations and contacts carry who they belong to,
/// so that the scope can be checked without another database read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// The area as a whole (a list page, a form, a new object).
    None,
    Conversation {
        id: ConversationId,
        team: TeamId,
        operator: Option<StaffId>,
    },
    /// A contact reaches the teams and operators of its conversations; it is in scope when
    /// one of them is.
    Contact {
        id: ContactId,
        reach: Vec<(TeamId, Option<StaffId>)>,
    },
    /// A staff account to change or disable: its current role's matrix. Nobody acts on an
    /// account that holds more than they do.
    Account { id: StaffId, matrix: Matrix },
    /// A matrix to grant: a role's new matrix, or the role given to an account.
    Grant {
        role: Option<RoleId>,
        matrix: Matrix,
    },
}

impl Object {
    /// Kind and id, for a decision (never personal data).
    pub fn reference(&self) -> ObjectRef {
        let (kind, id) = match self {
            Self::None => ("none", None),
            Self::Conversation { id, .. } => ("conversation", Some(id.0)),
            Self::Contact { id, .. } => ("contact", Some(id.0)),
            Self::Account { id, .. } => ("staff", Some(id.0)),
            Self::Grant { role, .. } => ("role", role.map(|r| r.0)),
        };
        ObjectRef { kind, id }
    }
}

/// A conversation as an object of `require`: its team is its widget's team.
pub fn conversation(conn: &mut DbConn, c: &Conversation) -> DbResult<Object> {
    let team = teams::of_widget(conn, c.widget)?.unwrap_or(teams::DEFAULT_TEAM);
    Ok(Object::Conversation {
        id: c.id,
        team,
        operator: c.operator,
    })
}

/// `conversation`, with every widget's team read beforehand (`teams::of_widgets`): for
/// lists, where one read serves every row.
pub fn conversation_in(c: &Conversation, widget_teams: &HashMap<WidgetId, TeamId>) -> Object {
    Object::Conversation {
        id: c.id,
        team: widget_teams
            .get(&c.widget)
            .copied()
            .unwrap_or(teams::DEFAULT_TEAM),
        operator: c.operator,
    }
}

/// Narrows a list query to the widgets whose team the actor's scope reaches; `None` means
/// no narrowing (scope "all"). Only keeps pages of a list full: each row is still decided
/// by `require`, which is what hides it.
pub fn narrowing(
    actor: &Actor,
    permission: Permission,
    widget_teams: &HashMap<WidgetId, TeamId>,
) -> Option<Vec<WidgetId>> {
    let (area, _) = permission.needs()?;
    if !area.scoped() || actor.grant(area).scope == Scope::All {
        return None;
    }
    Some(
        widget_teams
            .iter()
            .filter(|(_, team)| actor.in_team(**team))
            .map(|(widget, _)| *widget)
            .collect(),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: &'static str,
    pub id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    /// The role lacks the permission (HTTP 403).
    Forbidden,
    /// The object is outside the role's scope: answered as if it did not exist (HTTP 404).
    Hidden,
}

/// One decision of `require`, fit for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub actor: StaffId,
    pub permission: Permission,
    pub object: ObjectRef,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{why}")]
pub struct Denied {
    pub decision: Decision,
    why: String,
}

impl Denied {
    /// Whether the caller must answer as for a missing object.
    pub fn hidden(&self) -> bool {
        self.decision.outcome == Outcome::Hidden
    }
}

/// Whether a conversation (or a contact's conversation) is within a scope.
fn in_scope(actor: &Actor, scope: Scope, team: TeamId, operator: Option<StaffId>) -> bool {
    let mine = operator == Some(actor.staff);
    match scope {
        Scope::All => true,
        Scope::Team => mine || actor.in_team(team),
        // Unassigned conversations of the own teams stay visible, so they can be taken.
        Scope::Own => mine || (operator.is_none() && actor.in_team(team)),
    }
}

/// Decides one request. See the module documentation.
pub fn require(actor: &Actor, permission: Permission, object: Object) -> Result<Decision, Denied> {
    let verdict = decide(actor, permission, &object);
    let decision = Decision {
        actor: actor.staff,
        permission,
        object: object.reference(),
        outcome: match &verdict {
            Ok(()) => Outcome::Allowed,
            Err((outcome, _)) => *outcome,
        },
    };
    match verdict {
        Ok(()) => Ok(decision),
        Err((_, why)) => Err(Denied { decision, why }),
    }
}

fn decide(actor: &Actor, permission: Permission, object: &Object) -> Result<(), (Outcome, String)> {
    let forbidden = |why: String| Err((Outcome::Forbidden, why));
    if actor.disabled {
        return forbidden("the account is disabled".into());
    }
    let Some((area, level)) = permission.needs() else {
        return Ok(());
    };
    let grant = actor.grant(area);
    if grant.level < level {
        return forbidden(format!(
            "the role does not allow {} access to {area}",
            level.key()
        ));
    }
    match object {
        Object::None => Ok(()),
        Object::Conversation { team, operator, .. } => {
            if in_scope(actor, grant.scope, *team, *operator) {
                Ok(())
            } else {
                Err((Outcome::Hidden, "not found".into()))
            }
        }
        Object::Contact { reach, .. } => {
            if reach
                .iter()
                .any(|(team, operator)| in_scope(actor, grant.scope, *team, *operator))
            {
                Ok(())
            } else {
                Err((Outcome::Hidden, "not found".into()))
            }
        }
        Object::Account { matrix, .. } | Object::Grant { matrix, .. } => {
            let exceeded = actor.matrix.exceeded_by(matrix);
            if exceeded.is_empty() {
                Ok(())
            } else {
                let areas: Vec<&str> = exceeded.iter().map(|a| a.key()).collect();
                forbidden(format!(
                    "nobody grants or changes more than they hold themselves ({})",
                    areas.join(", ")
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests;
