//! One operator's console socket: the shared queue, open conversations, replies, notes,
//! taking, closing and transferring. Never logs message text. Every command and every
//! event about a conversation is decided through `live_access` (`access::require`).

mod commands;
mod events;
mod queue;

use super::identity;
use super::live_access::{self, EDIT, READ, SocketAccess};
use super::live_protocol::{self as proto, Command, Line, Push, QueueEntry, id_of};
use super::session::{Authenticated, timeouts};
use crate::access::Permission;
use crate::chat::presence::PresenceGuard;
use crate::chat::{AppendRequest, Event, Target};
use crate::db::conversations::{self, Conversation, ConversationId, Status};
use crate::db::messages::{self, Message as Stored, Sender};
use crate::db::staff::{self, StaffId};
use crate::db::{masking, widgets};
use crate::privacy::{self, MaskRules};
use crate::state::AppState;
use crate::widget::limits::RateLimiter;
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

type Flow = Result<(), Option<CloseReason>>;

fn at(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn line(m: Stored) -> Line {
    Line {
        seq: m.seq,
        from: m.sender.as_str(),
        staff: m.staff.map(|s| s.0.to_string()),
        text: m.text,
        at: at(m.created_at),
        id: m.client_id,
    }
}

pub struct OperatorSocket {
    state: AppState,
    session: Authenticated,
    ws: Session,
    me: StaffId,
    /// Conversations shown in this console, with the last seq delivered.
    open: HashMap<ConversationId, i64>,
    previews: HashSet<ConversationId>,
    /// Masking rules of the widgets of open conversations, for the typing preview.
    masks: HashMap<ConversationId, MaskRules>,
    queue: queue::Pending,
    limiter: RateLimiter,
    _presence: Option<PresenceGuard>,
    access: SocketAccess,
}

impl OperatorSocket {
    pub fn new(state: AppState, session: Authenticated, ws: Session, access: SocketAccess) -> Self {
        let me = session.info.staff.id;
        Self {
            state,
            session,
            ws,
            me,
            open: HashMap::new(),
            previews: HashSet::new(),
            masks: HashMap::new(),
            queue: queue::Pending::default(),
            limiter: RateLimiter::new(20.0, 40.0),
            _presence: None,
            access,
        }
    }

    pub async fn run(mut self, mut stream: MessageStream) {
        let mut events = self.state.hub.bus.subscribe();
        let name = self.session.info.staff.username.clone();
        self._presence = Some(self.state.hub.presence.connect(self.me, &name));
        let mut flush = tokio::time::interval(Duration::from_millis(200));
        // The first check is due a period after the start (`interval` would tick at once
        // and resend the whole queue the greeting just sent).
        let every = Duration::from_secs(30);
        let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        let greeting = self.greet(name).await;
        let reason = match greeting {
            Err(reason) => reason,
            Ok(()) => loop {
                let flow = tokio::select! {
                    frame = stream.recv() => match frame {
                        Some(Ok(message)) => self.on_frame(message).await,
                        Some(Err(e)) => Err(Some(CloseReason { code: CloseCode::Size, description: Some(e.to_string()) })),
                        None => Err(None),
                    },
                    event = events.recv() => match event {
                        Ok(event) => self.on_event(event).await,
                        Err(RecvError::Lagged(_)) => self.resync().await,
                        Err(RecvError::Closed) => Err(None),
                    },
                    _ = flush.tick() => self.flush_queue().await,
                    _ = recheck.tick() => self.recheck_session().await,
                };
                if let Err(reason) = flow {
                    break reason;
                }
            },
        };
        let _ = self.ws.close(reason).await;
    }

    async fn push(&mut self, push: Push) -> Flow {
        self.ws.text(push.to_json()).await.map_err(|_| None)
    }

    async fn error(&mut self, message: impl Into<String>) -> Flow {
        self.push(Push::Error {
            message: message.into(),
        })
        .await
    }

    async fn greet(&mut self, name: String) -> Flow {
        self.push(Push::Hello {
            me: self.me.0.to_string(),
            name,
        })
        .await?;
        self.send_queue().await?;
        self.send_operators().await
    }

    /// Operators online, as far as this console may offer them for a transfer.
    async fn send_operators(&mut self) -> Flow {
        let operators = self.access.filter_operators(self.state.hub.presence.list());
        self.push(Push::Operators { operators }).await
    }

    /// Re-reads role and teams (after an `AccessChanged` event, and with every session
    /// check, for changes made elsewhere): a socket that may no longer use the console
    /// closes; open conversations that left the scope are withdrawn from the screen.
    async fn reload_access(&mut self) -> Flow {
        let me = self.me;
        let fresh = self
            .state
            .blocking(move |conn, _| SocketAccess::load(conn, me))
            .await;
        let fresh = match fresh {
            Ok(Some(fresh)) if fresh.may_use_console() => fresh,
            _ => {
                return Err(Some(CloseReason {
                    code: CloseCode::Policy,
                    description: Some("access changed".into()),
                }));
            }
        };
        self.access.refresh(fresh);
        let open: Vec<ConversationId> = self.open.keys().copied().collect();
        for id in open {
            if self.current(id, READ).await.is_none() {
                self.revoke(id).await?;
            }
        }
        self.queue.everything();
        self.send_operators().await
    }

    /// The conversation as stored now, if this console may act on it with `permission`;
    /// missing and refused look the same to the console.
    async fn current(
        &mut self,
        id: ConversationId,
        permission: Permission,
    ) -> Option<Conversation> {
        let c = self
            .state
            .blocking(move |conn, _| conversations::by_id(conn, id))
            .await
            .ok()
            .flatten()?;
        self.access.decide(permission, &c).ok().map(|_| c)
    }

    /// Withdraws an open conversation this console may no longer see.
    async fn revoke(&mut self, id: ConversationId) -> Flow {
        self.open.remove(&id);
        self.previews.remove(&id);
        self.masks.remove(&id);
        self.access.forget(id);
        self.push(Push::Revoked {
            conversation: id.0.to_string(),
        })
        .await
    }

    /// A disabled account or an expired session ends the socket too.
    async fn recheck_session(&mut self) -> Flow {
        let token = self.session.token.clone();
        let limits = timeouts(&self.state);
        let valid = self
            .state
            .blocking(move |conn, st| {
                crate::auth::authenticate(conn, &token, st.clock.naive(), limits)
            })
            .await;
        match valid {
            Ok(Some(_)) => self.reload_access().await,
            _ => Err(Some(CloseReason {
                code: CloseCode::Policy,
                description: Some("session ended".into()),
            })),
        }
    }

    async fn resync(&mut self) -> Flow {
        self.queue.everything();
        let open: Vec<ConversationId> = self.open.keys().copied().collect();
        for id in open {
            self.deliver(id).await?;
        }
        Ok(())
    }

    async fn on_frame(&mut self, message: Message) -> Flow {
        match message {
            Message::Text(text) if !self.limiter.allow() => {
                let _ = text;
                self.error("too many frames; slow down").await
            }
            Message::Text(text) => match proto::parse(&text) {
                Ok(command) => self.on_command(command).await,
                Err(e) => self.error(e).await,
            },
            Message::Ping(bytes) => self.ws.pong(&bytes).await.map_err(|_| None),
            Message::Close(_) => Err(None),
            _ => Ok(()),
        }
    }

    async fn on_command(&mut self, command: Command) -> Flow {
        let conversation = match &command {
            Command::Open { conversation, .. }
            | Command::Take { conversation }
            | Command::Send { conversation, .. }
            | Command::Typing { conversation, .. }
            | Command::Close { conversation }
            | Command::Transfer { conversation, .. } => match id_of(conversation) {
                Some(id) => Some(ConversationId(id)),
                None => return self.error("unknown conversation").await,
            },
            Command::Availability { .. } => None,
        };
        // Decided before anything happens: reading a transcript needs "read", everything
        // else "edit". A conversation outside the scope is as unknown as a missing one.
        if let Some(id) = conversation {
            let permission = match &command {
                Command::Open { .. } => READ,
                _ => EDIT,
            };
            let allowed = match &command {
                // Typing is frequent: decided from what was last read of an open one.
                Command::Typing { .. } if self.open.contains_key(&id) => {
                    self.access.may_receive(id) && self.access.may_use_console()
                }
                _ => self.current(id, permission).await.is_some(),
            };
            if !allowed {
                return self.error("unknown conversation").await;
            }
        } else if !self.access.may_use_console() {
            return self
                .error("the console is not available to this role")
                .await;
        }
        match (command, conversation) {
            (Command::Availability { status }, _) => {
                self.state.hub.presence.set(self.me, status);
                Ok(())
            }
            (Command::Open { reason, .. }, Some(id)) => self.open_conversation(id, reason).await,
            (Command::Take { .. }, Some(id)) => self.take(id).await,
            (
                Command::Send {
                    id: client_id,
                    text,
                    note,
                    ..
                },
                Some(id),
            ) => self.send(id, client_id, text, note).await,
            (Command::Typing { active, .. }, Some(id)) => {
                let event = Event::Typing {
                    conversation: id,
                    by_visitor: false,
                    staff: Some(self.me),
                    active,
                };
                self.state.hub.bus.publish(event);
                Ok(())
            }
            (Command::Close { .. }, Some(id)) => self.close(id).await,
            (Command::Transfer { to, .. }, Some(id)) => self.transfer(id, to).await,
            _ => self.error("unknown conversation").await,
        }
    }
}
