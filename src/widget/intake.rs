//! What the visitor sends that gets stored: chat messages and offline messages, and the
//! conversation a first message starts (or finds again after a dropped connection). A new
//! conversation needs the visitor's consent on this socket; it is recorded with it.

use super::protocol::{Outbound, Refusal, VERSION};
use super::socket::{Flow, StartToken, VisitorSocket, at};
use crate::chat::{AppendRequest, Target};
use crate::crypto::sha256;
use crate::db::DbError;
use crate::db::messages::Sender;

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
        let request = AppendRequest {
            target,
            sender: Sender::Visitor,
            staff: None,
            client_id: Some(id.clone()),
            text,
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
}
