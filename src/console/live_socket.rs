//! One operator's console socket: the shared queue, open conversations, replies, notes,
//! taking, closing and transferring. Never logs message text.

use super::identity;
use super::live_protocol::{self as proto, Command, Line, Push, QueueEntry, id_of};
use super::session::{Authenticated, timeouts};
use crate::chat::presence::PresenceGuard;
use crate::chat::{AppendRequest, Event, Target};
use crate::db::conversations::{self, ConversationId, Status};
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
    queue_dirty: bool,
    limiter: RateLimiter,
    _presence: Option<PresenceGuard>,
}

impl OperatorSocket {
    pub fn new(state: AppState, session: Authenticated, ws: Session) -> Self {
        let me = session.info.staff.id;
        Self {
            state,
            session,
            ws,
            me,
            open: HashMap::new(),
            previews: HashSet::new(),
            masks: HashMap::new(),
            queue_dirty: false,
            limiter: RateLimiter::new(20.0, 40.0),
            _presence: None,
        }
    }

    pub async fn run(mut self, mut stream: MessageStream) {
        let mut events = self.state.hub.bus.subscribe();
        let name = self.session.info.staff.username.clone();
        self._presence = Some(self.state.hub.presence.connect(self.me, &name));
        let mut flush = tokio::time::interval(Duration::from_millis(200));
        let mut recheck = tokio::time::interval(Duration::from_secs(30));
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
        let operators = self.state.hub.presence.list();
        self.push(Push::Operators { operators }).await
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
            Ok(Some(_)) => Ok(()),
            _ => Err(Some(CloseReason {
                code: CloseCode::Policy,
                description: Some("session ended".into()),
            })),
        }
    }

    async fn flush_queue(&mut self) -> Flow {
        if self.queue_dirty {
            self.queue_dirty = false;
            self.send_queue().await?;
        }
        Ok(())
    }

    async fn send_queue(&mut self) -> Flow {
        let loaded = self
            .state
            .blocking(|conn, _| {
                let names: HashMap<StaffId, String> = staff::list(conn)?
                    .into_iter()
                    .map(|s| (s.id, s.username))
                    .collect();
                let open = conversations::open_with_widget(conn)?;
                Ok(open
                    .into_iter()
                    .map(|(c, widget)| QueueEntry {
                        id: c.id.0.to_string(),
                        status: c.status.as_str(),
                        widget,
                        operator: c.operator.map(|o| o.0.to_string()),
                        operator_name: c.operator.and_then(|o| names.get(&o).cloned()),
                        updated_at: at(c.updated_at),
                        last_seq: c.last_seq,
                    })
                    .collect::<Vec<_>>())
            })
            .await;
        match loaded {
            Ok(conversations) => self.push(Push::Queue { conversations }).await,
            Err(_) => self.error("the queue could not be loaded").await,
        }
    }

    async fn resync(&mut self) -> Flow {
        self.queue_dirty = true;
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
            Command::Open { conversation }
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
        match (command, conversation) {
            (Command::Availability { status }, _) => {
                self.state.hub.presence.set(self.me, status);
                Ok(())
            }
            (Command::Open { .. }, Some(id)) => self.open_conversation(id).await,
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

    async fn open_conversation(&mut self, id: ConversationId) -> Flow {
        let loaded = self
            .state
            .blocking(move |conn, st| {
                let Some(c) = conversations::by_id(conn, id)? else {
                    return Ok(None);
                };
                let widget = widgets::by_id(conn, c.widget)?;
                let (name, email) = c.contact(&st.ring)?;
                let lines = messages::after(conn, &st.ring, id, 0, true, 5000)?;
                // Rules that cannot be read mask by the defaults (cards and IBANs).
                let rules = masking::rules(conn, c.widget).unwrap_or_default();
                let earlier = identity::earlier(conn, &c, identity::recognises(widget.as_ref()))?;
                Ok(Some((c, widget, name, email, lines, rules, earlier)))
            })
            .await;
        let Ok(Some((c, widget, name, email, lines, rules, earlier))) = loaded else {
            return self.error("unknown conversation").await;
        };
        self.masks.insert(id, rules);
        let preview = widget.as_ref().is_some_and(|w| w.settings.typing_preview);
        if preview {
            self.previews.insert(id);
        }
        self.open
            .insert(id, c.last_seq.max(lines.last().map(|l| l.seq).unwrap_or(0)));
        self.push(Push::Transcript {
            conversation: id.0.to_string(),
            status: c.status.as_str(),
            widget: widget.map(|w| w.settings.name).unwrap_or_default(),
            operator: c.operator.map(|o| o.0.to_string()),
            name,
            email,
            preview,
            lines: lines.into_iter().map(line).collect(),
            earlier,
        })
        .await
    }

    async fn take(&mut self, id: ConversationId) -> Flow {
        let me = self.me;
        let taken = self
            .state
            .blocking(move |conn, st| conversations::take(conn, id, me, st.clock.naive()))
            .await;
        match taken {
            Ok(true) => {
                self.state
                    .hub
                    .bus
                    .publish(Event::ConversationChanged { conversation: id });
                Ok(())
            }
            Ok(false) => {
                self.error("this conversation was already taken or is not waiting")
                    .await
            }
            Err(_) => self.error("the conversation could not be taken").await,
        }
    }

    async fn send(
        &mut self,
        id: ConversationId,
        client_id: String,
        text: String,
        note: bool,
    ) -> Flow {
        let me = self.me;
        // The widget's masking rules are read with every reply, so an admin's change
        // applies at once.
        let current = self
            .state
            .blocking(move |conn, _| {
                let Some(c) = conversations::by_id(conn, id)? else {
                    return Ok(None);
                };
                let rules = masking::rules(conn, c.widget);
                Ok(Some((c, rules)))
            })
            .await
            .ok()
            .flatten();
        let Some((current, rules)) = current else {
            return self.error("unknown conversation").await;
        };
        let Ok(rules) = rules else {
            return self
                .error("the masking rules of this widget cannot be read; nothing was sent")
                .await;
        };
        let masked = privacy::mask(text.trim(), &rules);
        match (current.status, current.operator) {
            (Status::Closed, _) => return self.error("this conversation is closed").await,
            (Status::Waiting, _) if !note => self.take(id).await?,
            (Status::Active, Some(owner)) if owner != me && !note => {
                return self.error("another operator has this conversation").await;
            }
            _ => {}
        }
        let sender = if note { Sender::Note } else { Sender::Operator };
        let request = AppendRequest {
            target: Target::Existing(id),
            sender,
            staff: Some(me),
            client_id: Some(client_id.clone()),
            text: masked.text.clone(),
        };
        match self.state.hub.writer.append(request).await {
            Ok(outcome) => {
                self.push(Push::Ack {
                    id: client_id,
                    seq: outcome.appended.seq,
                    masked: (!masked.kinds.is_empty()).then_some(masked.text),
                })
                .await
            }
            Err(_) => {
                self.error("the message could not be stored; send it again")
                    .await
            }
        }
    }

    async fn close(&mut self, id: ConversationId) -> Flow {
        let closed = self
            .state
            .blocking(move |conn, st| conversations::close(conn, id, st.clock.naive()))
            .await;
        if matches!(closed, Ok(true)) {
            self.state
                .hub
                .bus
                .publish(Event::ConversationChanged { conversation: id });
            Ok(())
        } else {
            self.error("the conversation could not be closed").await
        }
    }

    async fn transfer(&mut self, id: ConversationId, to: String) -> Flow {
        let Some(target) = id_of(&to).map(StaffId) else {
            return self.error("unknown operator").await;
        };
        if target == self.me || !self.state.hub.presence.is_available(target) {
            return self
                .error("transfer only to another operator who is online")
                .await;
        }
        let me = self.me;
        let moved = self
            .state
            .blocking(move |conn, st| {
                let owner = conversations::by_id(conn, id)?.and_then(|c| c.operator);
                if owner != Some(me) {
                    return Ok(false);
                }
                conversations::transfer(conn, id, target, st.clock.naive())
            })
            .await;
        if matches!(moved, Ok(true)) {
            self.state
                .hub
                .bus
                .publish(Event::ConversationChanged { conversation: id });
            Ok(())
        } else {
            self.error("only the operator who has the conversation can transfer it")
                .await
        }
    }

    async fn on_event(&mut self, event: Event) -> Flow {
        match event {
            Event::MessageStored { conversation, .. } => {
                self.queue_dirty = true;
                if self.open.contains_key(&conversation) {
                    self.deliver(conversation).await?;
                }
                Ok(())
            }
            Event::ConversationChanged { conversation } => {
                self.queue_dirty = true;
                if !self.open.contains_key(&conversation) {
                    return Ok(());
                }
                match identity::after_change(&self.state, conversation).await {
                    Some(push) => {
                        if matches!(push, Push::Erased { .. }) {
                            self.open.remove(&conversation);
                        }
                        self.push(push).await
                    }
                    None => Ok(()),
                }
            }
            Event::Typing {
                conversation,
                by_visitor,
                staff,
                active,
            } if self.open.contains_key(&conversation) && staff != Some(self.me) => {
                self.push(Push::Typing {
                    conversation: conversation.0.to_string(),
                    active,
                    visitor: by_visitor,
                })
                .await
            }
            Event::Preview { conversation, text }
                if self.previews.contains(&conversation)
                    && self.open.contains_key(&conversation) =>
            {
                let text = match self.masks.get(&conversation) {
                    Some(rules) => privacy::mask_preview(&text, rules),
                    None => privacy::mask_preview(&text, &MaskRules::default()),
                };
                self.push(Push::Preview {
                    conversation: conversation.0.to_string(),
                    text,
                })
                .await
            }
            Event::Presence => {
                let operators = self.state.hub.presence.list();
                self.push(Push::Operators { operators }).await
            }
            _ => Ok(()),
        }
    }

    async fn deliver(&mut self, id: ConversationId) -> Flow {
        let after = self.open.get(&id).copied().unwrap_or(0);
        let loaded = self
            .state
            .blocking(move |conn, st| messages::after(conn, &st.ring, id, after, true, 1000))
            .await;
        let Ok(list) = loaded else {
            return self.error("messages could not be loaded").await;
        };
        for m in list {
            self.open.insert(id, m.seq);
            self.push(Push::Message {
                conversation: id.0.to_string(),
                line: line(m),
            })
            .await?;
        }
        Ok(())
    }
}
