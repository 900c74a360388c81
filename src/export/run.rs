//! The producer of a started export: runs on a blocking thread, walks the conversations in
//! batches (`BATCH`), decrypts one conversation at a time, writes its rows into the sink
//! and through it into the response stream. Memory stays at one batch of ids, one
//! conversation and the stream's few chunks, however many conversations are exported.
//! A pooled connection is taken per batch, not for the whole export.

use super::csv::CsvSink;
use super::rows::{self, Layout, Lookup};
use super::stream::ChunkWriter;
use super::xlsx::XlsxSink;
use super::{ExportError, Format, Sink, Source, Started};
use crate::access::{self, Area, Permission};
use crate::audit::{self, Action, Entry};
use crate::db::conversations::{self, Conversation, ConversationId};
use crate::db::search::{self, Cursor, Reach};
use crate::db::teams;
use crate::db::{DbConn, DbError};
use crate::i18n::Tr;
use crate::state::AppState;
use std::collections::HashMap;

/// Conversations per batch.
pub const BATCH: usize = 500;

/// Runs a started export to its end; on an error the stream ends with an error (the
/// browser shows a failed download, never a file that looks complete) and the log names
/// the error, never a value.
pub fn run(state: &AppState, started: Started, out: ChunkWriter) {
    let failer = out.failer();
    if let Err(e) = produce(state, &started, out) {
        tracing::error!(error = %e, actor = started.actor.staff.0, "export failed");
        failer.fail();
    }
}

fn produce(state: &AppState, started: &Started, out: ChunkWriter) -> Result<(), ExportError> {
    let request = &started.request;
    let t = Tr::new(request.lang);
    let lookup = Lookup::load(&mut *state.db.conn()?)?;
    let headers = rows::headers(request.layout, t);
    let mut sink: Box<dyn Sink> = match request.format {
        Format::Csv => Box::new(CsvSink::new(out, &headers)?),
        Format::Xlsx => Box::new(XlsxSink::new(
            out,
            &state.config.data_dir(),
            t.get(match request.layout {
                Layout::Transcript => "export.sheet.conversations",
                Layout::Messages => "export.sheet.messages",
            }),
            &headers,
            t.get("export.cut"),
        )?),
    };
    let mut batches = Batches::new(state, started)?;
    while let Some(batch) = batches.next(state, started)? {
        let mut conn = state.db.conn()?;
        for id in batch {
            // Gone or out of scope since it was recorded: left out.
            let Some(loaded) = rows::load(&mut conn, &state.ring, &started.actor, &lookup, id)?
            else {
                continue;
            };
            match request.layout {
                Layout::Transcript => sink.row(&rows::conversation_row(&loaded, &lookup, t))?,
                Layout::Messages => {
                    for row in rows::message_rows(&loaded, &lookup, t) {
                        sink.row(&row)?;
                    }
                }
            }
        }
    }
    sink.finish()
}

/// The conversations of an export, a batch at a time: the selection in slices (recorded by
/// `start` already), or the filter's matches by keyset, each batch recorded in the audit
/// log (and linked to the data-subject request) before it is returned.
enum Batches {
    Selected {
        next: usize,
    },
    Filter {
        reach: Reach,
        after: Option<Cursor>,
        done: bool,
    },
}

impl Batches {
    fn new(state: &AppState, started: &Started) -> Result<Self, ExportError> {
        Ok(match &started.request.source {
            Source::Selected(_) => Self::Selected { next: 0 },
            Source::Filter(_) => Self::Filter {
                reach: search::reach(&mut *state.db.conn()?, &started.actor, Area::Conversations)?,
                after: None,
                done: false,
            },
        })
    }

    fn next(
        &mut self,
        state: &AppState,
        started: &Started,
    ) -> Result<Option<Vec<ConversationId>>, ExportError> {
        let batch = match (self, &started.request.source) {
            (Self::Selected { next }, Source::Selected(ids)) => {
                let batch: Vec<ConversationId> =
                    ids.iter().skip(*next).take(BATCH).copied().collect();
                *next += batch.len();
                batch
            }
            (Self::Filter { reach, after, done }, Source::Filter(filter)) => loop {
                if *done {
                    return Ok(None);
                }
                let mut conn = state.db.conn()?;
                let limit = i64::try_from(BATCH).unwrap_or(500);
                let found = search::ids(&mut conn, &state.ring, filter, reach, *after, limit)?;
                *after = found.next;
                *done = found.next.is_none();
                // A batch whose every row left the scope meanwhile: on to the next one.
                let recorded = record(&mut conn, state, started, &found.ids)?;
                if !recorded.is_empty() {
                    break recorded;
                }
            },
            _ => Vec::new(),
        };
        Ok((!batch.is_empty()).then_some(batch))
    }
}

/// Records a filter batch before it is read: one `exported` entry per conversation the
/// actor's scope reaches (decided again here; SQL's narrowing is not the decision), in one
/// short transaction. Returns the recorded ids.
fn record(
    conn: &mut DbConn,
    state: &AppState,
    started: &Started,
    ids: &[ConversationId],
) -> Result<Vec<ConversationId>, ExportError> {
    let now = state.clock.naive();
    let actor = &started.actor;
    let recorded = crate::db::write_transaction(conn, |conn| {
        // The batch's rows and every widget's team in two reads, not two per conversation:
        // on PostgreSQL each read is a round trip.
        let widget_teams = teams::of_widgets(conn)?;
        let found: HashMap<ConversationId, Conversation> =
            conversations::with_widget_by_ids(conn, ids)?
                .into_iter()
                .map(|(c, _)| (c.id, c))
                .collect();
        let mut recorded = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(c) = found.get(id) else {
                continue;
            };
            let object = access::conversation_in(c, &widget_teams);
            if access::require(actor, Permission::Read(Area::Conversations), object).is_err() {
                continue;
            }
            let entry = Entry::new(
                now,
                actor.staff,
                Action::Exported,
                audit::Object::conversation(*id),
            );
            audit::record(conn, &state.ring, &entry)?;
            if let Some(request) = started.request.dsr {
                crate::db::dsr::link_action(conn, request, "exported", "conversation", id.0, now)?;
            }
            recorded.push(*id);
        }
        Ok::<_, DbError>(recorded)
    })?;
    Ok(recorded)
}
