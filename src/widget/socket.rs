//! One visitor's websocket: validates every frame, talks to the chat hub, delivers what the
//! operator says in order. Never logs message text.

use super::capture::Captured;
use super::limits::{ConnectionGuard, RateLimiter};
use super::protocol::{self, Inbound, Outbound, Refusal, Resume, VERSION};
use crate::chat::Event;
use crate::chat::router::Subscription;
use crate::crypto::sha256;
use crate::db::consents::Given;
use crate::db::conversations::{self, ConversationId, Status};
use crate::db::messages::Sender;
use crate::db::widgets::Widget;
use crate::http::ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use crate::state::AppState;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_VIOLATIONS: u32 = 20;

/// Which token a first message starts its conversation with.
pub(super) enum StartToken {
    /// The widget sent its own in hello: a resent first message finds its conversation.
    Client(String),
    /// Older widgets send none: the server makes one and hands it out in `started`.
    Server,
    /// The token in hello belongs to another widget's conversation.
    Foreign,
}

/// Whether a token leads to a conversation of this widget.
enum Owner {
    Nobody,
    This(ConversationId, Status),
    Other,
}

pub struct VisitorSocket {
    pub(super) state: AppState,
    pub(super) widget: Widget,
    pub(super) session: Session,
    _guard: ConnectionGuard,
    pub(super) conversation: Option<ConversationId>,
    /// The offline message left on this socket: not resumable, but its visitor may still
    /// see, download or delete it while the socket lasts (self-service).
    pub(super) offline_conversation: Option<ConversationId>,
    greeted: bool,
    pub(super) delivered: i64,
    available: bool,
    pub(super) start: StartToken,
    /// The notice the visitor accepted on this socket, checked against the current one.
    /// Without it no conversation is created.
    pub(super) consent: Option<Given>,
    /// Technical details, only when the widget's privacy mode is off; in memory until a
    /// consented conversation is created.
    pub(super) captured: Option<Captured>,
    /// Whether operators were last told that the visitor types, so that a socket that
    /// ends mid-sentence clears the indicator and the preview it left behind.
    typing_shown: bool,
    limiter: RateLimiter,
    violations: u32,
    subscription: Option<Subscription>,
    /// Events of a conversation just started or resumed, waiting for the loop to pick up.
    new_events: Option<UnboundedReceiver<Event>>,
}

/// Waits for the hello deadline; never fires once the deadline is gone.
async fn hello_expired(deadline: &mut Option<std::pin::Pin<Box<tokio::time::Sleep>>>) {
    match deadline {
        Some(sleep) => sleep.await,
        None => std::future::pending().await,
    }
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
    pub fn new(
        state: AppState,
        widget: Widget,
        session: Session,
        guard: ConnectionGuard,
        captured: Option<Captured>,
    ) -> Self {
        Self {
            state,
            widget,
            session,
            _guard: guard,
            conversation: None,
            offline_conversation: None,
            greeted: false,
            delivered: 0,
            available: false,
            start: StartToken::Server,
            consent: None,
            captured,
            typing_shown: false,
            limiter: RateLimiter::new(10.0, 10.0),
            violations: 0,
            subscription: None,
            new_events: None,
        }
    }

    pub async fn run(mut self, mut stream: MessageStream) {
        let mut events: Option<UnboundedReceiver<Event>> = None;
        let mut availability = self.state.hub.presence.watch();
        // Boxed and dropped after hello: an idle socket should not carry a timer.
        let mut hello_deadline = Some(Box::pin(tokio::time::sleep(HELLO_TIMEOUT)));
        // The handlers are boxed so that an idle socket's task holds only the loop's own
        // state (measured: 2.7 KB -> 1.5 KB per socket); they run once per frame or event.
        let reason = loop {
            let flow = tokio::select! {
                frame = stream.recv() => match frame {
                    Some(Ok(message)) => Box::pin(self.on_frame(message)).await,
                    Some(Err(e)) => close(CloseCode::Size, &format!("protocol error: {e}")),
                    None => Err(None),
                },
                event = next_event(&mut events) => match event {
                    Some(event) => Box::pin(self.on_event(event)).await,
                    None => close(CloseCode::Restart, "server shutting down"),
                },
                changed = availability.changed() => match changed {
                    Ok(()) => {
                        let now = *availability.borrow_and_update();
                        Box::pin(self.availability_changed(now)).await
                    }
                    Err(_) => close(CloseCode::Restart, "server shutting down"),
                },
                () = hello_expired(&mut hello_deadline) => close(CloseCode::Policy, "hello expected"),
            };
            if let Err(reason) = flow {
                break reason;
            }
            if let Some(fresh) = self.new_events.take() {
                events = Some(fresh);
            }
            if self.greeted {
                hello_deadline = None;
            }
        };
        self.stop_typing();
        let _ = self.session.close(reason).await;
    }

    /// Follows one conversation from now on.
    pub(super) fn follow(&mut self, conversation: ConversationId) {
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
        // Every frame the peer sends costs work, so binary frames, pings and pongs count
        // against the limit as much as text frames do; only the close does not.
        match message {
            Message::Close(_) => return Err(None),
            Message::Nop => return Ok(()),
            _ => {}
        }
        if !self.limiter.allow() {
            self.violations += 1;
            if self.violations > MAX_VIOLATIONS {
                return close(CloseCode::Policy, "flooding");
            }
            return self.refuse(Refusal::RateLimited).await;
        }
        match message {
            Message::Text(text) => match protocol::parse(&text) {
                Ok(inbound) => self.on_inbound(inbound).await,
                Err(refusal) => self.refuse(refusal).await,
            },
            Message::Binary(_) | Message::Continuation(_) => self.refuse(Refusal::BadJson).await,
            Message::Ping(bytes) => self.session.pong(&bytes).await.map_err(|_| None),
            _ => Ok(()),
        }
    }

    async fn on_inbound(&mut self, inbound: Inbound) -> Flow {
        match (inbound, self.greeted) {
            (
                Inbound::Hello {
                    resume,
                    page,
                    referrer,
                },
                false,
            ) => {
                if let Some(c) = &mut self.captured {
                    c.page = page;
                    c.referrer = referrer;
                }
                self.hello(resume).await
            }
            (Inbound::Hello { .. }, true) => self.refuse(Refusal::Unexpected).await,
            (_, false) => self.refuse(Refusal::HelloFirst).await,
            (Inbound::Ping, true) => self.send(Outbound::Pong { v: VERSION }).await,
            (Inbound::Consent { notice, lang }, true) => self.consent(notice, lang).await,
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
            (Inbound::Identify { name, email }, true) => self.identify(name, email).await,
            (Inbound::Data, true) => self.show_data().await,
            (Inbound::Erase, true) => self.erase().await,
            (Inbound::Withdraw, true) => self.withdraw().await,
        }
    }

    async fn hello(&mut self, resume: Option<Resume>) -> Flow {
        self.greeted = true;
        self.available = self.state.hub.presence.anyone_available();
        let owner = match &resume {
            Some(r) => self.owner_of(&r.token).await,
            None => Owner::Nobody,
        };
        self.start = match (&owner, &resume) {
            (Owner::Other, _) => StartToken::Foreign,
            (_, Some(r)) => StartToken::Client(r.token.clone()),
            (_, None) => StartToken::Server,
        };
        let found = match owner {
            Owner::This(id, status) => Some((id, status)),
            Owner::Nobody | Owner::Other => None,
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

    /// The conversation whose token the visitor holds. A database error counts as none:
    /// the first message then finds the conversation again if it exists.
    async fn owner_of(&self, token: &str) -> Owner {
        let hash = sha256(token.as_bytes());
        let found = self
            .state
            .blocking(move |conn, _| conversations::by_token(conn, &hash))
            .await;
        match found {
            Ok(Some(c)) if c.widget == self.widget.id => Owner::This(c.id, c.status),
            Ok(Some(_)) => Owner::Other,
            Ok(None) | Err(_) => Owner::Nobody,
        }
    }

    fn typing(&mut self, active: bool, text: Option<String>) {
        let Some(conversation) = self.conversation else {
            return;
        };
        self.typing_shown = active;
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

    /// The socket ends: operators must not keep seeing a visitor typing who is gone.
    /// The events carry ids only; the empty preview clears what was shown.
    fn stop_typing(&mut self) {
        if self.typing_shown {
            self.typing(false, None);
        }
    }

    pub(super) async fn is_closed(&self, id: ConversationId) -> bool {
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
