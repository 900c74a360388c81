//! One person's data as a machine-readable package (GDPR Art. 15 access, Art. 20
//! portability): the contact's fields and every conversation of the contact with its
//! messages, consents and technical details. Each conversation has the structure the
//! visitor's own download has (`widget::my_data`), so the two never drift apart; internal
//! staff notes are left out, as there. Schema: docs/export-schema.json (JSON Schema
//! 2020-12) and its readable twin docs/export-schema.html; change them with this file.
//!
//! A package must be complete: when one of the contact's conversations is outside the
//! actor's scope, the export is refused (403) rather than handing over part of it. A
//! contact none of whose conversations the scope reaches answers 404, like a missing one.
//! One person's data is small, so the package is built in memory.
//!
//! Where the actor's role demands a reason for data outside their own scope (a contact none
//! of whose conversations they handled, `access::reason_needed`), the package is refused
//! without one; the typed reason goes into every entry of the export.

use super::{Begun, Stop, Subject, approve, audited, authorise, link};
use crate::access::{self, Actor, Area, Object, Permission};
use crate::audit::{self, Action, Entry};
use crate::crypto::KeyRing;
use crate::db::approvals::{self, gate::Gate, gate::Passed};
use crate::db::contacts::{self, ContactId};
use crate::db::conversations::{self, Conversation};
use crate::db::schema::{contacts as contact_table, conversations as conversation_table};
use crate::db::{DbConn, DbResult, contact_edit};
use crate::error::AppError;
use crate::widget::my_data::{self, MyData};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

/// What `format` says, so a reader knows what it holds.
pub const FORMAT: &str = "plauder.person-export";
/// Raised when a field changes meaning or goes; new optional fields keep it.
pub const VERSION: u32 = 1;

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub format: &'static str,
    pub version: u32,
    pub exported_at: String,
    pub contact: ContactData,
    pub conversations: Vec<ConversationData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactData {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationData {
    pub widget: String,
    pub closed_at: Option<String>,
    #[serde(flatten)]
    pub data: MyData,
}

fn refused(e: AppError, contact: ContactId) -> Stop {
    Stop::Refused(e, audit::Object::contact(contact))
}

/// The contact's conversations (newest first, with their widget's name), the access
/// object of each, and the contact's own (`Object::Contact` with their teams and handlers).
type Reach = (Vec<(Conversation, String)>, Vec<Object>, Object);

fn reach_of(conn: &mut DbConn, contact: ContactId) -> DbResult<Reach> {
    let list =
        conversations::of_contact(conn, contact, conversations::ConversationId(0), i64::MAX)?;
    let mut objects = Vec::new();
    for (c, _) in &list {
        objects.push(access::conversation(conn, c)?);
    }
    let reach = objects
        .iter()
        .filter_map(|o| match o {
            Object::Conversation { team, operator, .. } => Some((*team, *operator)),
            _ => None,
        })
        .collect();
    Ok((list, objects, Object::Contact { id: contact, reach }))
}

/// Whether `actor` may have the package of `contact` but must type a reason first. `false`
/// for a missing contact or a package the actor may not have: `package` answers those.
pub fn reason_needed(conn: &mut DbConn, actor: &Actor, contact: ContactId) -> DbResult<bool> {
    if authorise(actor, &Subject::Contact).is_err() || !contact_edit::exists(conn, contact)? {
        return Ok(false);
    }
    let (_, objects, object) = reach_of(conn, contact)?;
    let may = access::require(actor, Permission::Read(Area::Contacts), object.clone()).is_ok()
        && objects
            .into_iter()
            .all(|o| access::require(actor, Permission::Read(Area::Conversations), o).is_ok());
    if !may {
        return Ok(false);
    }
    access::reason_needed(conn, actor, &object)
}

/// How a package was asked for: the data-subject request it answers, the reason typed
/// (where the role demands one) and the four-eyes gate.
pub struct Asked<'a> {
    pub dsr: Option<i64>,
    pub reason: Option<String>,
    pub gate: Gate<'a>,
}

/// The package of a contact, audited (one entry about the contact, one per conversation,
/// written before anything is decrypted, each with the `reason` typed) and linked to the
/// data-subject request `dsr`. Four-eyes (`super::begin` explains `gate`): the threshold
/// counts the contact's conversations; a package that waits records no `exported` entry.
pub fn package(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    contact: ContactId,
    asked: Asked<'_>,
) -> DbResult<Result<Begun<Package>, AppError>> {
    let Asked { dsr, reason, gate } = asked;
    audited(conn, ring, now, actor, |conn| {
        authorise(actor, &Subject::Contact).map_err(|e| refused(e, contact))?;
        let entry = |object| {
            let mut e = Entry::new(now, actor.staff, Action::Exported, object);
            e.reason.clone_from(&reason);
            e
        };
        let Some((created_at, updated_at)) = contact_table::table
            .find(contact.0)
            .select((contact_table::created_at, contact_table::updated_at))
            .first::<(NaiveDateTime, NaiveDateTime)>(conn)
            .optional()?
        else {
            return Err(refused(AppError::NotFound, contact));
        };
        let (list, objects, object) = reach_of(conn, contact)?;
        access::require(actor, Permission::Read(Area::Contacts), object.clone())
            .map_err(|e| refused(e.into(), contact))?;
        for object in objects {
            if access::require(actor, Permission::Read(Area::Conversations), object).is_err() {
                return Err(refused(
                    AppError::Forbidden(
                        "some of this person's conversations are outside your role's scope, \
                         so the package would be incomplete; ask someone whose role reaches all of them"
                            .into(),
                    ),
                    contact,
                ));
            }
        }
        // Asked before the form was shown; asked again here, where it binds.
        if reason.is_none() && access::reason_needed(conn, actor, &object)? {
            return Err(refused(
                AppError::Forbidden("a reason is required".into()),
                contact,
            ));
        }
        let (kind, count) = (approvals::Kind::ExportPerson, list.len() as u64);
        if let Passed::Waiting(id) = approve(conn, ring, now, actor, kind, gate, count)? {
            return Ok(Begun::Waiting(id));
        }
        // Recorded once it runs; a refusal above rolls back and records itself.
        audit::record(conn, ring, &entry(audit::Object::contact(contact)))?;
        link(conn, dsr, "contact", contact.0, now)?;
        let mut conversations = Vec::new();
        for (c, widget) in list.into_iter().rev() {
            audit::record(conn, ring, &entry(audit::Object::conversation(c.id)))?;
            let Some(data) = my_data::load(conn, ring, c.id, now)? else {
                continue;
            };
            let closed_at = conversation_table::table
                .find(c.id.0)
                .select(conversation_table::closed_at)
                .first::<Option<NaiveDateTime>>(conn)?;
            conversations.push(ConversationData {
                widget,
                closed_at: closed_at.map(rfc3339),
                data,
            });
        }
        let (email, name) = contacts::read(conn, ring, contact)?
            .ok_or_else(|| refused(AppError::NotFound, contact))?;
        Ok(Begun::Ready(Package {
            format: FORMAT,
            version: VERSION,
            exported_at: rfc3339(now),
            contact: ContactData {
                id: contact.0.to_string(),
                email,
                name,
                created_at: rfc3339(created_at),
                updated_at: rfc3339(updated_at),
            },
            conversations,
        }))
    })
}
