//! Group commit: one thread takes every append waiting at that moment, writes them in one
//! transaction, and acknowledges each only after that commit. Durability stays at
//! `synchronous=FULL`; throughput comes from sharing the fsync.

use super::{Event, EventBus};
use crate::clock::Clock;
use crate::crypto::KeyRing;
use crate::db::consents::{self, Given};
use crate::db::conversations::{self, Claim, ConversationId, NewConversation, Status};
use crate::db::messages::{self, Appended, NewMessage, Sender};
use crate::db::staff::StaffId;
use crate::db::visitor_meta::{self, VisitorMeta};
use crate::db::widgets::WidgetId;
use crate::db::{Db, DbConn, DbError, DbResult};
use crate::metrics::Metrics;
use diesel::Connection;
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::oneshot;

const MAX_BATCH: usize = 512;

/// Where an append goes: an existing conversation, or the conversation of a token, which
/// is created unless a resent first message already created it. A new conversation cannot
/// be asked for without the visitor's consent: it is recorded in the transaction that
/// creates the conversation, together with the technical details when privacy mode is off.
#[derive(Debug, Clone)]
pub enum Target {
    Existing(ConversationId),
    New {
        widget: WidgetId,
        token_hash: Vec<u8>,
        offline: bool,
        name: Option<String>,
        email: Option<String>,
        consent: Given,
        /// None in privacy mode: nothing technical is stored.
        meta: Option<Box<VisitorMeta>>,
    },
}

#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub target: Target,
    pub sender: Sender,
    pub staff: Option<StaffId>,
    pub client_id: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Copy)]
pub struct AppendOutcome {
    pub conversation: ConversationId,
    pub appended: Appended,
    pub created: bool,
}

struct Job {
    request: AppendRequest,
    reply: oneshot::Sender<DbResult<AppendOutcome>>,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::SyncSender<Job>,
}

impl Writer {
    pub fn spawn(
        db: Db,
        ring: Arc<KeyRing>,
        clock: Arc<dyn Clock>,
        bus: Arc<dyn EventBus>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let (jobs, queue) = mpsc::sync_channel::<Job>(16 * 1024);
        std::thread::Builder::new()
            .name("plauder-writer".into())
            .spawn(move || run(queue, &db, &ring, clock.as_ref(), bus.as_ref(), &metrics))
            .map_err(|e| tracing::error!(error = %e, "cannot start the message writer"))
            .ok();
        Self { jobs }
    }

    /// Stores a message; resolves after its transaction has committed.
    pub async fn append(&self, request: AppendRequest) -> DbResult<AppendOutcome> {
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.clone();
        // A full queue blocks the sender: do that on the blocking pool, not the executor.
        let sent =
            actix_web::rt::task::spawn_blocking(move || jobs.send(Job { request, reply }).is_ok())
                .await
                .map_err(|e| DbError::Connect(format!("writer: {e}")))?;
        if !sent {
            return Err(DbError::Connect("the message writer has stopped".into()));
        }
        answer
            .await
            .map_err(|_| DbError::Connect("the message writer dropped a job".into()))?
    }
}

fn run(
    queue: mpsc::Receiver<Job>,
    db: &Db,
    ring: &KeyRing,
    clock: &dyn Clock,
    bus: &dyn EventBus,
    metrics: &Metrics,
) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write_batch(batch, db, ring, clock, bus, metrics);
    }
}

fn write_batch(
    batch: Vec<Job>,
    db: &Db,
    ring: &KeyRing,
    clock: &dyn Clock,
    bus: &dyn EventBus,
    metrics: &Metrics,
) {
    let now = clock.naive();
    let result = db.conn().and_then(|mut conn| {
        crate::db::write_transaction::<_, DbError, _>(&mut conn, |conn| {
            // Each job in its own savepoint: one bad job does not sink the batch.
            Ok(batch
                .iter()
                .map(|job| conn.transaction(|conn| apply(conn, ring, &job.request, now)))
                .collect::<Vec<_>>())
        })
    });
    match result {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                if let Ok(o) = &outcome {
                    if !o.appended.duplicate {
                        metrics.message_stored(job.request.sender);
                    }
                    publish(bus, o, job.request.sender);
                }
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, jobs = batch.len(), "message batch failed");
            for job in batch {
                let _ = job.reply.send(Err(DbError::Connect(
                    "the message could not be stored".into(),
                )));
            }
        }
    }
}

fn apply(
    conn: &mut DbConn,
    ring: &KeyRing,
    request: &AppendRequest,
    now: chrono::NaiveDateTime,
) -> DbResult<AppendOutcome> {
    let (conversation, created) = match &request.target {
        Target::Existing(id) => (*id, false),
        Target::New {
            widget,
            token_hash,
            offline,
            name,
            email,
            consent,
            meta,
        } => {
            let new = NewConversation {
                widget: *widget,
                token_hash,
                offline: *offline,
                name: name.as_deref(),
                email: email.as_deref(),
            };
            match conversations::claim(conn, ring, &new, now)? {
                Claim::Created(id) => {
                    consents::insert(conn, *widget, id, consent, now)?;
                    if let Some(meta) = meta {
                        visitor_meta::insert(conn, ring, id, meta, now)?;
                    }
                    (id, true)
                }
                // The same visitor resending its first message: continue what it started.
                Claim::Found(c) if c.widget == *widget && c.status != Status::Closed => {
                    (c.id, false)
                }
                Claim::Found(_) => {
                    return Err(DbError::Conflict(
                        "the token belongs to another widget or a closed conversation",
                    ));
                }
            }
        }
    };
    let message = NewMessage {
        conversation,
        sender: request.sender,
        staff: request.staff,
        client_id: request.client_id.as_deref(),
        text: &request.text,
    };
    let appended = messages::append(conn, ring, &message, now)?;
    Ok(AppendOutcome {
        conversation,
        appended,
        created,
    })
}

fn publish(bus: &dyn EventBus, outcome: &AppendOutcome, sender: Sender) {
    if outcome.created {
        bus.publish(Event::ConversationChanged {
            conversation: outcome.conversation,
        });
    }
    if !outcome.appended.duplicate {
        bus.publish(Event::MessageStored {
            conversation: outcome.conversation,
            seq: outcome.appended.seq,
            sender,
        });
    }
}
