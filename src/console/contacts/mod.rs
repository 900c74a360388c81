//! A contact's own pages (issue 8): everything stored about them (`show`), rectification
//! (`edit`, Art. 16), merging two contacts (`merge`) and erasure with all their
//! conversations (`erase`, Art. 17). The list and search of contacts live elsewhere.
//!
//! Scope: a contact is within the actor's reach when the contacts area's scope reaches at
//! least one of its conversations (`access::Object::Contact`); a contact without any
//! conversation reaches no team, so only a contacts scope of "all" sees it. Outside the
//! reach it answers exactly like a missing contact (404). Every read of a contact's values
//! writes `contact_viewed` first (`audit::read_or`: no entry, no page); every change writes
//! its entry in the change's own transaction.

mod edit;
// The approvals page runs an approved erasure (`erase::run_approved`).
pub(super) mod erase;
mod merge;
mod show;

use crate::access::{self, Actor, Area, Object, Permission, Scope};
use crate::audit::{self, Action, Entry};
use crate::db::contacts::ContactId;
use crate::db::conversations::{self, Conversation, ConversationId, Status};
use crate::db::{DbConn, DbError, DbResult, contact_edit};
use crate::error::AppError;
use crate::http::routes::Routes;
use chrono::NaiveDateTime;

pub(super) const READ: Permission = Permission::Read(Area::Contacts);
pub(super) const EDIT: Permission = Permission::Edit(Area::Contacts);
pub(super) const ERASE: Permission = Permission::Edit(Area::Deletions);

/// A contact's conversations considered at most (far above any real person's).
const MAX_CONVERSATIONS: i64 = 10_000;

pub fn mount(r: &mut Routes<'_>) {
    show::mount(r);
    edit::mount(r);
    merge::mount(r);
    erase::mount(r);
}

/// Why a transaction of these pages stopped: the database, or a refusal to show the user.
/// Either way everything it wrote is rolled back.
pub(super) enum Stop {
    Db(DbError),
    Refused(AppError),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

impl From<DbError> for Stop {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Self::Refused(e)
    }
}

impl From<Stop> for AppError {
    fn from(s: Stop) -> Self {
        match s {
            Stop::Db(e) => e.into(),
            Stop::Refused(e) => e,
        }
    }
}

/// Decides `permission` (of the contacts area) on contact `id` for `actor`, before anything
/// of it is decrypted; on success the contact's conversations (newest first), with their
/// widget's name. Missing and out of reach are the same `NotFound`.
pub(super) fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    permission: Permission,
    id: ContactId,
) -> DbResult<Result<Vec<(Conversation, String)>, AppError>> {
    if !contact_edit::exists(conn, id)? {
        return Ok(Err(AppError::NotFound));
    }
    // Ids are never 0, so nothing is left out by `except`.
    let convs = conversations::of_contact(conn, id, ConversationId(0), MAX_CONVERSATIONS)?;
    let mut reach = Vec::with_capacity(convs.len());
    for (c, _) in &convs {
        if let Object::Conversation { team, operator, .. } = access::conversation(conn, c)? {
            reach.push((team, operator));
        }
    }
    let object = if reach.is_empty() {
        if let Err(denied) = access::require(actor, permission, Object::None) {
            return Ok(Err(denied.into()));
        }
        if actor.grant(Area::Contacts).scope != Scope::All {
            return Ok(Err(AppError::NotFound));
        }
        Object::None
    } else {
        Object::Contact { id, reach }
    };
    Ok(access::require(actor, permission, object)
        .map(|_| convs)
        .map_err(AppError::from))
}

/// Whether `actor` may read conversation `c` (the transcript link, the erasure's reach).
pub(super) fn may_read(conn: &mut DbConn, actor: &Actor, c: &Conversation) -> DbResult<bool> {
    let object = access::conversation(conn, c)?;
    Ok(access::require(actor, Permission::Read(Area::Conversations), object).is_ok())
}

/// The entry of an action by `actor` on contact `id`.
pub(super) fn entry(at: NaiveDateTime, actor: &Actor, action: Action, id: ContactId) -> Entry {
    Entry::new(at, actor.staff, action, audit::Object::contact(id))
}

/// Links the action to a data-subject request when the form named one (same transaction);
/// an unknown request refuses the whole action.
pub(super) fn link_request(
    conn: &mut DbConn,
    request: Option<i64>,
    action: &str,
    kind: &str,
    object: i64,
    now: NaiveDateTime,
) -> Result<(), Stop> {
    let Some(request) = request else {
        return Ok(());
    };
    if crate::db::dsr::link_action(conn, request, action, kind, object, now)? {
        Ok(())
    } else {
        Err(Stop::Refused(AppError::BadRequest(format!(
            "there is no data-subject request {request}"
        ))))
    }
}

/// The optional `request` field of a form: empty means none.
pub(super) fn request_id(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => r
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::BadRequest("the request id must be a number".into())),
    }
}

/// A conversation's status in the reader's language.
pub(super) fn status_label(t: crate::i18n::Tr, s: Status) -> &'static str {
    t.get(match s {
        Status::Waiting => "console.status.waiting",
        Status::Active => "console.status.active",
        Status::Offline => "console.status.offline",
        Status::Closed => "console.status.closed",
    })
}

/// Dates as the console shows them.
pub(super) fn date(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
