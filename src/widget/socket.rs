//! One visitor's websocket: validates every frame, talks to the chat hub, delivers what the
//! operator says in order. Never logs message text.

use super::limits::{ConnectionGuard, RateLimiter};
use super::protocol::{self, Inbound, Outbound, Refusal, Resume, VERSION};
use crate::chat::router::Subscription;
use crate::chat::{AppendRequest, Event, Target};
use crate::crypto::sha256;
use crate::db::conversations::{self, ConversationId, Status};
use crate::db::messages::Sender;
use crate::db::widgets::Widget;
use crate::state::AppState;
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_VIOLATIONS: u32 = 20;

pub struct VisitorSocket {
    pub(super) state: AppState,
    widget: Widget,
    pub(super) session: Session,
    _guard: ConnectionGuard,
    pub(super) conversation: Option<ConversationId>,
    greeted: bool,
    pub(super) delivered: i64,
    available: bool,
    limiter: RateLimiter,
    violations: u32,
    subscription: Option<Subscription>,
    /// Events of a conversation just started or resumed, waiting for the loop to pick up.
    new_events: Option<UnboundedReceiver<Event>>,
}

/// Why the loop ends; `None` means the peer went away.
pub(super) type Flow = Result<(), Option<CloseReason>>;

fn close(code: CloseCode, why: &str) -> Flow {
    Err(Some(CloseReason {
        code,
        description: Some(why.into()),
    }))
}

pub(super) fn at(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl VisitorSocket {
    pub fn new(state: AppState, widget: Widget, session: Session, guard: ConnectionGuard) -> Self {
        Self {
            state,
            widget,
            session,
            _guard: guard,
            conversation: None,
            greeted: false,
            delivered: 0,
            available: false,
            limiter: RateLimiter::new(10.0, 10.0),
            violations: 0,
            subscription: None,
            new_events: None,
        }
    }

    pub async fn run(mut self, mut stream: MessageStream) {
        let mut events: Option<UnboundedReceiver<Event>> = None;
        let mut availability = self.state.hub.presence.watch();
        let hello_deadline = tokio::time::sleep(HELLO_TIMEOUT);
        tokio::pin!(hello_deadline);
        let reason = loop {
            let flow = tokio::select! {
                frame = stream.recv() => match frame {
                    Some(Ok(message)) => self.on_frame(message).await,
                    Some(Err(e)) => close(CloseCode::Size, &format!("protocol error: {e}")),
                    None => Err(None),
                },
                event = next_event(&mut events) => match event {
                    Some(event) => self.on_event(event).await,
                    None => close(CloseCode::Restart, "server shutting down"),
                },
                changed = availability.changed() => match changed {
                    Ok(()) => {
                        let now = *availability.borrow_and_update();
                        self.availability_changed(now).await
                    }
                    Err(_) => close(CloseCode::Restart, "server shutting down"),
                },
                () = &mut hello_deadline, if !self.greeted => close(CloseCode::Policy, "hello expected"),
            };
            if let Err(reason) = flow {
                break reason;
            }
            if let Some(fresh) = self.new_events.take() {
                events = Some(fresh);
            }
        };
        let _ = self.session.close(reason).await;
    }

    /// Follows one conversation from now on.
    fn follow(&mut self, conversation: ConversationId) {
        self.conversation = Some(conversation);
        let (subscription, events) = self.state.hub.router.subscribe(conversation);
        self.subscription = Some(subscription);
        self.new_events = Some(events);
    }

    async fn availability_changed(&mut self, now: bool) -> Flow {
        if self.greeted && now != self.available {
            self.available = now;
            return self
                .send(Outbound::Availability {
                    v: VERSION,
                    available: now,
                })
                .await;
        }
        Ok(())
    }

    pub(super) async fn send(&mut self, frame: Outbound) -> Flow {
        self.session.text(frame.to_json()).await.map_err(|_| None)
    }

    pub(super) async fn refuse(&mut self, refusal: Refusal) -> Flow {
        self.send(Outbound::error(refusal)).await
    }

    async fn on_frame(&mut self, message: Message) -> Flow {
        match message {
            Message::Text(text) => {
                if !self.limiter.allow() {
                    self.violations += 1;
                    if self.violations > MAX_VIOLATIONS {
                        return close(CloseCode::Policy, "flooding");
                    }
                    return self.refuse(Refusal::RateLimited).await;
                }
                match protocol::parse(&text) {
                    Ok(inbound) => self.on_inbound(inbound).await,
                    Err(refusal) => self.refuse(refusal).await,
                }
            }
            Message::Binary(_) => self.refuse(Refusal::BadJson).await,
            Message::Ping(bytes) => self.session.pong(&bytes).await.map_err(|_| None),
            Message::Close(_) => Err(None),
            _ => Ok(()),
        }
    }

    async fn on_inbound(&mut self, inbound: Inbound) -> Flow {
        match (inbound, self.greeted) {
            (Inbound::Hello { resume }, false) => self.hello(resume).await,
            (Inbound::Hello { .. }, true) => self.refuse(Refusal::Unexpected).await,
            (_, false) => self.refuse(Refusal::HelloFirst).await,
            (Inbound::Ping, true) => self.send(Outbound::Pong { v: VERSION }).await,
            (Inbound::Message { id, text }, true) => self.message(id, text).await,
            (Inbound::Typing { active, text }, true) => {
                self.typing(active, text);
                Ok(())
            }
            (
                Inbound::Offline {
                    id,
                    text,
                    name,
                    email,
                },
                true,
            ) => self.offline(id, text, name, email).await,
        }
    }

    async fn hello(&mut self, resume: Option<Resume>) -> Flow {
        self.greeted = true;
        self.available = self.state.hub.presence.anyone_available();
        let found = match &resume {
            Some(r) => self.find_conversation(&r.token).await,
            None => None,
        };
        let welcome = Outbound::Welcome {
            v: VERSION,
            available: self.available,
            greeting: self.widget.settings.greeting.clone(),
            typing_preview: self.widget.settings.typing_preview,
            resumed: found.is_some(),
        };
        self.send(welcome).await?;
        if let (Some((id, status)), Some(r)) = (found, resume) {
            self.follow(id);
            self.delivered = r.after;
            self.deliver(true).await?;
            if status == Status::Closed {
                self.send(Outbound::Closed { v: VERSION }).await?;
            }
        }
        Ok(())
    }

    /// The conversation whose token the visitor holds, if it belongs to this widget.
    async fn find_conversation(&self, token: &str) -> Option<(ConversationId, Status)> {
        let hash = sha256(token.as_bytes());
        let widget = self.widget.id;
        self.state
            .blocking(move |conn, _| conversations::by_token(conn, &hash))
            .await
            .ok()
            .flatten()
            .filter(|c| c.widget == widget)
            .map(|c| (c.id, c.status))
    }

    async fn message(&mut self, id: String, text: String) -> Flow {
        let mut token = None;
        let target = match self.conversation {
            Some(existing) => {
                if self.is_closed(existing).await {
                    return self.refuse(Refusal::Closed).await;
                }
                Target::Existing(existing)
            }
            None => {
                let fresh = crate::auth::random_token().map_err(|_| None)?;
                let target = self.new_target(&fresh, false, None, None);
                token = Some(fresh);
                target
            }
        };
        let request = AppendRequest {
            target,
            sender: Sender::Visitor,
            staff: None,
            client_id: Some(id.clone()),
            text,
        };
        let Ok(outcome) = self.state.hub.writer.append(request).await else {
            return self.refuse(Refusal::Unavailable).await;
        };
        if outcome.created {
            self.follow(outcome.conversation);
            if let Some(token) = token {
                self.send(Outbound::Started { v: VERSION, token }).await?;
            }
        }
        let appended = outcome.appended;
        self.send(Outbound::Ack {
            v: VERSION,
            id,
            seq: appended.seq,
            at: at(appended.created_at),
        })
        .await
    }

    fn new_target(
        &self,
        token: &str,
        offline: bool,
        name: Option<String>,
        email: Option<String>,
    ) -> Target {
        Target::New {
            widget: self.widget.id,
            token_hash: sha256(token.as_bytes()),
            offline,
            name,
            email,
        }
    }

    async fn offline(
        &mut self,
        id: String,
        text: String,
        name: Option<String>,
        email: Option<String>,
    ) -> Flow {
        if self.conversation.is_some() {
            return self.refuse(Refusal::Unexpected).await;
        }
        // Offline messages cannot be resumed: the token is never handed out.
        let token = crate::auth::random_token().map_err(|_| None)?;
        let target = self.new_target(&token, true, name, email);
        let request = AppendRequest {
            target,
            sender: Sender::Visitor,
            staff: None,
            client_id: Some(id.clone()),
            text,
        };
        match self.state.hub.writer.append(request).await {
            Ok(o) => {
                self.send(Outbound::Ack {
                    v: VERSION,
                    id,
                    seq: o.appended.seq,
                    at: at(o.appended.created_at),
                })
                .await
            }
            Err(_) => self.refuse(Refusal::Unavailable).await,
        }
    }

    fn typing(&self, active: bool, text: Option<String>) {
        let Some(conversation) = self.conversation else {
            return;
        };
        let bus = &self.state.hub.bus;
        bus.publish(Event::Typing {
            conversation,
            by_visitor: true,
            staff: None,
            active,
        });
        if self.widget.settings.typing_preview {
            let text = if active {
                text.unwrap_or_default()
            } else {
                String::new()
            };
            bus.publish(Event::Preview { conversation, text });
        }
    }

    async fn is_closed(&self, id: ConversationId) -> bool {
        self.state
            .blocking(move |conn, _| conversations::by_id(conn, id))
            .await
            .ok()
            .flatten()
            .is_none_or(|c| c.status == Status::Closed)
    }

    async fn on_event(&mut self, event: Event) -> Flow {
        let ours = |c: &ConversationId| Some(*c) == self.conversation;
        match event {
            Event::MessageStored {
                conversation,
                sender,
                ..
            } if ours(&conversation) && sender == Sender::Operator => self.deliver_new().await,
            Event::Typing {
                conversation,
                by_visitor: false,
                active,
                ..
            } if ours(&conversation) => self.send(Outbound::Typing { v: VERSION, active }).await,
            Event::ConversationChanged { conversation } if ours(&conversation) => {
                if self.is_closed(conversation).await {
                    self.send(Outbound::Closed { v: VERSION }).await?;
                }
                Ok(())
            }
            Event::Presence => {
                let now = self.state.hub.presence.anyone_available();
                if self.greeted && now != self.available {
                    self.available = now;
                    return self
                        .send(Outbound::Availability {
                            v: VERSION,
                            available: now,
                        })
                        .await;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The next routed event, or never while no conversation is followed.
async fn next_event(events: &mut Option<UnboundedReceiver<Event>>) -> Option<Event> {
    match events {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
