//! Hub events reaching one operator socket: each is checked against what the socket may
//! see before anything about the conversation is pushed.

use super::*;

impl OperatorSocket {
    pub(super) async fn on_event(&mut self, event: Event) -> Flow {
        match event {
            Event::MessageStored { conversation, .. } => {
                self.queue.changed(conversation);
                if self.open.contains_key(&conversation) && self.access.may_receive(conversation) {
                    self.deliver(conversation).await?;
                }
                Ok(())
            }
            Event::ConversationChanged { conversation } => {
                self.queue.changed(conversation);
                if !self.open.contains_key(&conversation) {
                    return Ok(());
                }
                // Taken, transferred or moved: still within the scope? (A deleted one
                // reads as missing and is told as erased below.)
                let exists = self
                    .state
                    .blocking(move |conn, _| conversations::by_id(conn, conversation))
                    .await;
                if let Ok(Some(c)) = exists {
                    if self.access.decide(READ, &c).is_err() {
                        return self.revoke(conversation).await;
                    }
                }
                let actor = self.access.actor().clone();
                match identity::after_change(&self.state, conversation, actor).await {
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
            } if self.open.contains_key(&conversation)
                && staff != Some(self.me)
                && self.access.may_receive(conversation) =>
            {
                self.push(Push::Typing {
                    conversation: conversation.0.to_string(),
                    active,
                    visitor: by_visitor,
                })
                .await
            }
            Event::Preview { conversation, text }
                if self.previews.contains(&conversation)
                    && self.open.contains_key(&conversation)
                    && self.access.may_receive(conversation) =>
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
            Event::Presence => self.send_operators().await,
            Event::AccessChanged { .. } => self.reload_access().await,
            _ => Ok(()),
        }
    }

    pub(super) async fn deliver(&mut self, id: ConversationId) -> Flow {
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
