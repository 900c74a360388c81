//! Handing data over (GDPR Art. 15, 20): selected or filtered conversations as CSV or
//! Excel, streamed (`run`), and one person's data as a JSON package (`json`, schema in
//! docs/export-schema.json). Knows no HTTP beyond the chunk stream the response reads.
//!
//! Order of every export, the same for all formats: `start` authorises (exports read,
//! conversations read, each selected conversation in the actor's scope — one outside it
//! refuses the whole export exactly like a missing one) and writes the audit entries in one
//! transaction; only then does the first byte leave. "No entry, no export".
//!
//! Audit entries: one `exported` entry per export (object none; for a person's package
//! the contact) and one `exported` entry per conversation. Per conversation, because the
//! question a data-protection officer asks is "who exported this conversation?", which a
//! single summary entry cannot answer. For a selection (at most `MAX_SELECTED`) all of them
//! go into the first transaction; for a filter, whose conversations are found while the
//! export runs, each batch's entries are written in a transaction of their own before that
//! batch is decrypted, so a 100,000-conversation export never holds the write lock for
//! long and still no conversation leaves without its entry. A refused export writes one
//! entry with the refusal's outcome (`not_found` for a missing or out-of-scope
//! conversation, which it names; `denied`, `failed`) and nothing else.

pub mod csv;
pub mod json;
pub mod rows;
mod run;
pub mod stream;
pub mod xlsx;

pub use rows::Layout;
pub use run::run;

use crate::access::{self, Actor, Area, Object, Permission};
use crate::audit::{self, Action, Entry};
use crate::crypto::KeyRing;
use crate::db::approvals::gate::{self, Gate, Passed};
use crate::db::approvals::{self, ApprovalId};
use crate::db::conversations::{self, ConversationId};
use crate::db::{DbConn, DbError, DbResult};
use crate::error::AppError;
use crate::i18n::Lang;
use chrono::NaiveDateTime;

/// Most conversations one selection may name (a search page's checked rows); more is a
/// filter's job.
pub const MAX_SELECTED: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("Excel: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

impl From<diesel::result::Error> for ExportError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// Where rows go: CSV or Excel.
pub trait Sink {
    fn row(&mut self, cells: &[rows::Cell]) -> Result<(), ExportError>;
    /// Writes what is still buffered (for Excel: the whole file) and ends.
    fn finish(self: Box<Self>) -> Result<(), ExportError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// Which conversations an export holds.
#[derive(Debug, Clone)]
pub enum Source {
    /// Exactly these (checked rows), in this order, each in the actor's scope.
    Selected(Vec<ConversationId>),
    /// Every conversation the search page's filter finds within the actor's scope
    /// (`db::search::ids`, keyset batches), in the filter's order.
    Filter(crate::db::search::Filter),
}

/// What an export should be.
#[derive(Debug, Clone)]
pub struct Request {
    pub format: Format,
    pub layout: Layout,
    pub source: Source,
    /// A data-subject request this export answers (`db::dsr`).
    pub dsr: Option<i64>,
    /// Headers and labels in the actor's language.
    pub lang: Lang,
}

/// An authorised, audited export, ready to run.
#[derive(Debug, Clone)]
pub struct Started {
    pub actor: Actor,
    pub request: Request,
}

/// What is being exported, for `authorise`.
pub enum Subject<'a> {
    Conversations(&'a Source),
    /// One person's package.
    Contact,
}

/// The permission step shared by every export, inside the audit transaction: the role must
/// hold exports read and conversations read (a person's package: contacts read as well,
/// decided with the contact by `json`). Four-eyes approval (`approve`) follows once the
/// export's conversations are known to be in scope and counted.
pub fn authorise(actor: &Actor, subject: &Subject<'_>) -> Result<(), AppError> {
    access::require(actor, Permission::Read(Area::Exports), Object::None)?;
    access::require(actor, Permission::Read(Area::Conversations), Object::None)?;
    if let Subject::Contact = subject {
        access::require(actor, Permission::Read(Area::Contacts), Object::None)?;
    }
    Ok(())
}

/// Why a transaction of an export was rolled back.
pub(crate) enum Stop {
    Refused(AppError, audit::Object),
    Db(DbError),
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

/// Runs `work` (which records the entries) in one transaction; a refusal rolls it back and
/// records one entry with the refusal's outcome about the object it names.
pub(crate) fn audited<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    work: impl FnOnce(&mut DbConn) -> Result<T, Stop>,
) -> DbResult<Result<T, AppError>> {
    match crate::db::write_transaction(conn, work) {
        Ok(value) => Ok(Ok(value)),
        Err(Stop::Db(e)) => Err(e),
        Err(Stop::Refused(refused, object)) => {
            let entry = Entry::new(now, actor.staff, Action::Exported, object)
                .outcome(audit::hooks::outcome_of(&refused));
            audit::append(conn, ring, &entry)?;
            Ok(Err(refused))
        }
    }
}

/// Links a conversation or contact to the data-subject request the export answers; an
/// unknown request refuses the export.
pub(crate) fn link(
    conn: &mut DbConn,
    dsr: Option<i64>,
    kind: &str,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), Stop> {
    let Some(request) = dsr else {
        return Ok(());
    };
    if crate::db::dsr::link_action(conn, request, "exported", kind, id, now)? {
        Ok(())
    } else {
        Err(Stop::Refused(
            AppError::BadRequest("there is no such data-subject request".into()),
            audit::Object::none(),
        ))
    }
}

/// An export that may have to wait: ready to run, or stored as a request for a second
/// person's approval (`db::approvals`), with nothing exported and nothing linked.
#[derive(Debug, Clone)]
pub enum Begun<T> {
    Ready(T),
    Waiting(ApprovalId),
}

/// The four-eyes step, after `authorise` and the scope checks, before any entry of the
/// export: see `db::approvals::gate`.
pub(crate) fn approve(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    kind: approvals::Kind,
    gate: Gate<'_>,
    count: u64,
) -> Result<Passed, Stop> {
    gate::pass(conn, ring, now, actor, kind, gate, count)?
        .map_err(|e| Stop::Refused(e, audit::Object::none()))
}

/// Most conversations a filter export counts for the four-eyes threshold and the request's
/// page (a threshold above it counts one past the threshold).
const COUNT_CAP: u64 = 10_000;

/// How many conversations a filter export would hold (at most the cap, or one past the
/// threshold), in keyset batches within the actor's scope.
fn count_matches(
    conn: &mut DbConn,
    ring: &KeyRing,
    actor: &Actor,
    filter: &crate::db::search::Filter,
) -> DbResult<u64> {
    let threshold = approvals::Policy::load(conn)?.threshold;
    let cap = COUNT_CAP.max(u64::from(threshold) + 1);
    let reach = crate::db::search::reach(conn, actor, Area::Conversations)?;
    let (mut count, mut after) = (0u64, None);
    loop {
        let batch = crate::db::search::ids(conn, ring, filter, &reach, after, 1000)?;
        count += batch.ids.len() as u64;
        match batch.next {
            Some(next) if count < cap => after = Some(next),
            _ => return Ok(count),
        }
    }
}

/// Authorises an export and records its entries, before anything is read for it: the one
/// step between a request and the first byte. See the module documentation. An export that
/// needs a second person's approval is refused here; `begin` can ask for one.
pub fn start(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    request: Request,
) -> DbResult<Result<Started, AppError>> {
    Ok(
        begin(conn, ring, now, actor, request, Gate::Refuse)?.and_then(|begun| match begun {
            Begun::Ready(started) => Ok(started),
            Begun::Waiting(_) => Err(AppError::Internal(
                "an export without a request waits".into(),
            )),
        }),
    )
}

/// `start` with the four-eyes gate: `Gate::Ask` stores a request instead of starting when
/// approval is needed, `Gate::Approved` runs under one (using it up).
pub fn begin(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    request: Request,
    gate: Gate<'_>,
) -> DbResult<Result<Begun<Started>, AppError>> {
    let done = audited(conn, ring, now, actor, |conn| {
        let subject = Subject::Conversations(&request.source);
        authorise(actor, &subject).map_err(|e| Stop::Refused(e, audit::Object::none()))?;
        let count = match &request.source {
            Source::Selected(ids) => {
                for id in ids {
                    let refused =
                        || Stop::Refused(AppError::NotFound, audit::Object::conversation(*id));
                    let c = conversations::by_id(conn, *id)?.ok_or_else(refused)?;
                    let object = access::conversation(conn, &c)?;
                    access::require(actor, Permission::Read(Area::Conversations), object)
                        .map_err(|_| refused())?;
                }
                ids.len() as u64
            }
            Source::Filter(filter) => count_matches(conn, ring, actor, filter)?,
        };
        let kind = approvals::Kind::Export;
        if let Passed::Waiting(id) = approve(conn, ring, now, actor, kind, gate, count)? {
            return Ok(Some(id));
        }
        let entry = |object| Entry::new(now, actor.staff, Action::Exported, object);
        let head = audit::record(conn, ring, &entry(audit::Object::none()))?;
        match &request.source {
            // Each in scope, checked above in this transaction.
            Source::Selected(ids) => {
                for id in ids {
                    audit::record(conn, ring, &entry(audit::Object::conversation(*id)))?;
                    link(conn, request.dsr, "conversation", id.0, now)?;
                }
            }
            // The conversations are found (and recorded, and linked) batch by batch while
            // the export runs; the request is linked to this export's entry now, which
            // also checks that it exists.
            Source::Filter(_) => link(conn, request.dsr, "audit_entry", head.seq, now)?,
        }
        Ok(None)
    })?;
    Ok(done.map(|waiting| match waiting {
        Some(id) => Begun::Waiting(id),
        None => Begun::Ready(Started {
            actor: actor.clone(),
            request,
        }),
    }))
}
