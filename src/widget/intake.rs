//! What the visitor sends that gets stored: chat messages and offline messages, and the
//! conversation a first message starts (or finds again after a dropped connection). A new
//! conversation needs the visitor's consent on this socket; it is recorded with it.

use super::protocol::{Outbound, Refusal, VERSION};
use super::socket::{Flow, StartToken, VisitorSocket, at};
use crate::chat::{AppendRequest, Target};
use crate::crypto::sha256;
use crate::db::DbError;
use crate::db::messages::Sender;
use crate::privacy::Masked;

impl VisitorSocket {
    pub(super) async fn message(&mut self, id: String, text: String) -> Flow {
        let mut token = None;
        let target = match self.conversation {
            Some(existing) => {
                if self.is_closed(existing).await {
                    return self.refuse(Refusal::Closed).await;
                }
                Target::Existing(existing)
            }
            None => {
                if self.consent.is_none() {
                    return self.refuse(Refusal::ConsentRequired).await;
                }
                let fresh = match &self.start {
                    StartToken::Client(t) => t.clone(),
                    StartToken::Server => crate::auth::random_token().map_err(|_| None)?,
                    StartToken::Foreign => return self.refuse(Refusal::BadToken).await,
                };
                let Some(target) = self.new_target(&fresh, false, None, None) else {
                    return self.refuse(Refusal::ConsentRequired).await;
                };
                token = Some(fresh);
                target
            }
        };
        let Some(masked) = self.masked(&text).await else {
            return self.refuse(Refusal::Unavailable).await;
        };
        let request = AppendRequest {
            target,
            sender: Sender::Visitor,
            staff: None,
            client_id: Some(id.clone()),
            text: masked.text.clone(),
        };
        let outcome = match self.state.hub.writer.append(request).await {
            Ok(outcome) => outcome,
            // A token that turned foreign or closed between hello and now: the same answer
            // a fresh hello would lead to.
            Err(DbError::Conflict(_)) => return self.refuse(Refusal::BadToken).await,
            Err(_) => return self.refuse(Refusal::Unavailable).await,
        };
        let appended = outcome.appended;
        let mut joined_existing = false;
        if let Some(token) = token {
            self.follow(outcome.conversation);
            joined_existing = !outcome.created;
            self.send(Outbound::Started { v: VERSION, token }).await?;
        }
        // The ack must never overtake a message stored before this one (an operator's
        // reply whose event is still on its way): the widget may resume after the ack's
        // seq. A gap in seq, or a conversation found again, means there may be such.
        if joined_existing || appended.seq > self.delivered + 1 {
            self.deliver_new().await?;
        }
        self.delivered = self.delivered.max(appended.seq);
        self.tell_masked(&id, masked).await?;
        self.send(Outbound::Ack {
            v: VERSION,
            id,
            seq: appended.seq,
            at: at(appended.created_at),
        })
        .await
    }

    /// A new conversation with the consent given on this socket (None without one), and
    /// the technical details unless the widget is in privacy mode.
    fn new_target(
        &self,
        token: &str,
        offline: bool,
        name: Option<String>,
        email: Option<String>,
    ) -> Option<Target> {
        let consent = self.consent.clone()?;
        let meta = match &self.captured {
            Some(c) if !self.widget.settings.privacy.privacy_mode => Some(Box::new(c.meta())),
            _ => None,
        };
        Some(Target::New {
            widget: self.widget.id,
            token_hash: sha256(token.as_bytes()),
            offline,
            name,
            email,
            consent,
            meta,
        })
    }

    pub(super) async fn offline(
        &mut self,
        id: String,
        text: String,
        name: Option<String>,
        email: Option<String>,
    ) -> Flow {
        if self.conversation.is_some() {
            return self.refuse(Refusal::Unexpected).await;
        }
        // Offline messages cannot be resumed: the token is never handed out, and the
        // widget's own token is not used for them.
        let token = crate::auth::random_token().map_err(|_| None)?;
        let Some(target) = self.new_target(&token, true, name, email) else {
            return self.refuse(Refusal::ConsentRequired).await;
        };
        let Some(masked) = self.masked(&text).await else {
            return self.refuse(Refusal::Unavailable).await;
        };
        let request = AppendRequest {
            target,
            sender: Sender::Visitor,
            staff: None,
            client_id: Some(id.clone()),
            text: masked.text.clone(),
        };
        match self.state.hub.writer.append(request).await {
            Ok(o) => {
                // Reachable for self-service from this socket, never resumable.
                self.offline_conversation = Some(o.conversation);
                self.tell_masked(&id, masked).await?;
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

    /// Name and e-mail address typed into a running chat: stored encrypted with the
    /// conversation, and the address links its contact (identity recognition decides only
    /// what operators are shown). Operators with the chat open get the update live.
    pub(super) async fn identify(&mut self, name: Option<String>, email: Option<String>) -> Flow {
        let Some(id) = self.conversation else {
            return self.refuse(Refusal::Unexpected).await;
        };
        if self.is_closed(id).await {
            return self.refuse(Refusal::Closed).await;
        }
        let stored = self
            .state
            .blocking(move |conn, st| {
                crate::db::write_transaction(conn, |conn| {
                    crate::db::conversations::identify(
                        conn,
                        &st.ring,
                        id,
                        name.as_deref(),
                        email.as_deref(),
                        st.clock.naive(),
                    )
                })
            })
            .await;
        match stored {
            Ok(true) => {
                self.state
                    .hub
                    .bus
                    .publish(crate::chat::Event::ConversationChanged { conversation: id });
                self.send(Outbound::Identified { v: VERSION }).await
            }
            Ok(false) => self.refuse(Refusal::Closed).await,
            Err(_) => self.refuse(Refusal::Unavailable).await,
        }
    }

    /// The text masked by the widget's rules (`privacy::mask`), read with every message so
    /// that an admin's change applies at once. `None`: the rules could not be read, and
    /// nothing may be stored unmasked.
    async fn masked(&self, text: &str) -> Option<Masked> {
        let widget = self.widget.id;
        let rules = self
            .state
            .blocking(move |conn, _| crate::db::masking::rules(conn, widget))
            .await
            .ok()?;
        Some(crate::privacy::mask(text, &rules))
    }

    /// Tells the visitor what was masked and shows the stored text, before the ack.
    async fn tell_masked(&mut self, id: &str, masked: Masked) -> Flow {
        if masked.kinds.is_empty() {
            return Ok(());
        }
        self.send(Outbound::Masked {
            v: VERSION,
            id: id.to_string(),
            text: masked.text,
            kinds: masked.kinds.iter().map(|k| k.as_str()).collect(),
        })
        .await
    }
}
