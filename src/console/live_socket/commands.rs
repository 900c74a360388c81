//! Operator commands on one conversation: open, take, reply or note, close, transfer.
//! Each is decided through `live_access` before it touches the conversation.

use super::*;

impl OperatorSocket {
    /// Where the role demands a reason for this read and none (or an unusable one) came,
    /// says so instead of reading anything; otherwise the reason that goes into the entry.
    async fn reason_for(
        &mut self,
        id: ConversationId,
        reason: Option<String>,
    ) -> Result<Option<String>, Flow> {
        let typed = reason.as_deref().and_then(crate::access::typed_reason);
        if typed.is_some() {
            return Ok(typed);
        }
        let Some(c) = self.current(id, READ).await else {
            return Err(self.error("unknown conversation").await);
        };
        let object = self.access.object_of(&c);
        let actor = self.access.actor().clone();
        let needed = self
            .state
            .blocking(move |conn, _| crate::access::reason_needed(conn, &actor, &object))
            .await;
        match needed {
            Ok(false) => Ok(None),
            Ok(true) => Err(self
                .push(Push::ReasonNeeded {
                    conversation: id.0.to_string(),
                    invalid: reason.is_some(),
                })
                .await),
            Err(_) => Err(self.error("unknown conversation").await),
        }
    }

    pub(super) async fn open_conversation(
        &mut self,
        id: ConversationId,
        reason: Option<String>,
    ) -> Flow {
        let reason = match self.reason_for(id, reason).await {
            Ok(reason) => reason,
            Err(flow) => return flow,
        };
        let actor = self.access.actor().clone();
        let loaded = self
            .state
            .blocking(move |conn, st| {
                let mut entry = crate::audit::hooks::opened(st.clock.naive(), actor.staff, id);
                if let Some(reason) = reason {
                    entry = entry.reason(reason);
                }
                crate::audit::read(conn, &st.ring, entry, |conn| {
                    let Some(c) = conversations::by_id(conn, id)? else {
                        return Ok(None);
                    };
                    let widget = widgets::by_id(conn, c.widget)?;
                    let (name, email) = identity::contact(conn, &st.ring, &c, &actor)?;
                    let lines = messages::after(conn, &st.ring, id, 0, true, 5000)?;
                    // Rules that cannot be read mask by the defaults (cards and IBANs).
                    let rules = masking::rules(conn, c.widget).unwrap_or_default();
                    let earlier =
                        identity::earlier(conn, &c, identity::recognises(widget.as_ref()), &actor)?;
                    Ok(Some((c, widget, name, email, lines, rules, earlier)))
                })
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

    pub(super) async fn take(&mut self, id: ConversationId) -> Flow {
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

    pub(super) async fn send(
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

    pub(super) async fn close(&mut self, id: ConversationId) -> Flow {
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

    pub(super) async fn transfer(&mut self, id: ConversationId, to: String) -> Flow {
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
                let Some(c) = conversations::by_id(conn, id)? else {
                    return Ok(false);
                };
                // Only to someone whose role and teams reach this conversation.
                if c.operator != Some(me) || !live_access::transfer_target(conn, target, &c)? {
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
            self.error(
                "only the operator who has the conversation can transfer it, to an operator of its team",
            )
            .await
        }
    }
}
