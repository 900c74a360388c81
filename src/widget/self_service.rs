//! In-chat self-service on the visitor socket: show what is stored (with one-time download
//! addresses), delete it now, withdraw consent. The socket's own conversation is the only
//! one reachable: it was proven by the token (resume) or started on this socket; no id is
//! ever taken from the visitor. Every action leaves a record without personal data (the
//! erasure journal, the consent's withdrawal time) and tells operators by ids only.

use super::downloads::{self, Format};
use super::protocol::{Outbound, Refusal, VERSION};
use super::socket::{Flow, VisitorSocket};
use crate::chat::Event;
use crate::db::conversations::ConversationId;
use crate::db::erasure::Action;
use crate::http::ws::{CloseCode, CloseReason};
use crate::widget::privacy::WithdrawalPolicy;

/// Ends the socket after erasure or withdrawal: nothing further is taken from it.
fn end(why: &str) -> Flow {
    Err(Some(CloseReason {
        code: CloseCode::Normal,
        description: Some(why.into()),
    }))
}

impl VisitorSocket {
    /// The conversation this socket may act on: the chat it follows, or the offline
    /// message it just left.
    fn own_conversation(&self) -> Option<ConversationId> {
        self.conversation.or(self.offline_conversation)
    }

    pub(super) async fn show_data(&mut self) -> Flow {
        let Some(id) = self.own_conversation() else {
            return self.send(no_data()).await;
        };
        let loaded = self
            .state
            .blocking(move |conn, st| {
                let entry = crate::audit::hooks::self_service_shown(st.clock.naive(), id);
                crate::audit::read(conn, &st.ring, entry, |c| {
                    let data = super::my_data::load(c, &st.ring, id, st.clock.naive())?;
                    if data.is_some() {
                        crate::audit::hooks::self_service_access(c, st.clock.naive(), id)?;
                    }
                    Ok(data)
                })
            })
            .await;
        let data = match loaded {
            Ok(Some(data)) => data,
            Ok(None) => return self.send(no_data()).await,
            Err(_) => return self.refuse(Refusal::Unavailable).await,
        };
        let lang = super::my_data::lang_of(&data, self.widget.settings.default_lang);
        let now = self.state.clock.now();
        let mint = |format| {
            self.state
                .downloads
                .mint(id, format, lang, now)
                .map(|t| downloads::url(&t))
        };
        let (json_url, html_url) = (mint(Format::Json), mint(Format::Html));
        self.send(Outbound::Data {
            v: VERSION,
            data: Some(Box::new(data)),
            json_url,
            html_url,
        })
        .await
    }

    pub(super) async fn erase(&mut self) -> Flow {
        match self.own_conversation() {
            Some(id) => {
                if !self.erase_conversation(id, Action::Erase).await {
                    return self.refuse(Refusal::Unavailable).await;
                }
            }
            // Nothing stored yet: forgetting the consent held in memory is all there is.
            None => self.consent = None,
        }
        self.send(Outbound::Erased { v: VERSION }).await?;
        end("erased")
    }

    pub(super) async fn withdraw(&mut self) -> Flow {
        // The policy as it is now, not as it was when the socket opened.
        let widget = self.widget.id;
        let policy = self
            .state
            .blocking(move |conn, _| crate::db::widgets::by_id(conn, widget))
            .await
            .ok()
            .flatten()
            .map_or(self.widget.settings.privacy.withdrawal, |w| {
                w.settings.privacy.withdrawal
            });
        self.consent = None;
        self.captured = None;
        let deleted = match (self.own_conversation(), policy) {
            (None, _) => true,
            (Some(id), WithdrawalPolicy::DeleteNow) => {
                if !self.erase_conversation(id, Action::Withdraw).await {
                    return self.refuse(Refusal::Unavailable).await;
                }
                true
            }
            (Some(id), WithdrawalPolicy::KeepUntilRetention) => {
                let done = self
                    .state
                    .blocking(move |conn, st| {
                        crate::audit::hooks::withdraw_and_close(
                            conn,
                            &st.ring,
                            st.clock.naive(),
                            id,
                        )
                    })
                    .await;
                if done.is_err() {
                    return self.refuse(Refusal::Unavailable).await;
                }
                self.state
                    .hub
                    .bus
                    .publish(Event::ConversationChanged { conversation: id });
                false
            }
        };
        self.send(Outbound::Withdrawn {
            v: VERSION,
            deleted,
        })
        .await?;
        end("consent withdrawn")
    }

    /// Erases the conversation in one transaction and tells operators and other sockets
    /// of it (ids only). `false`: the database failed and nothing changed.
    async fn erase_conversation(&mut self, id: ConversationId, action: Action) -> bool {
        let erased = self
            .state
            .blocking(move |conn, st| {
                crate::audit::hooks::erase(conn, &st.ring, st.clock.naive(), id, action)
            })
            .await;
        if erased.is_err() {
            return false;
        }
        self.state.downloads.revoke(id);
        self.conversation = None;
        self.offline_conversation = None;
        self.consent = None;
        self.state
            .hub
            .bus
            .publish(Event::ConversationChanged { conversation: id });
        true
    }
}

fn no_data() -> Outbound {
    Outbound::Data {
        v: VERSION,
        data: None,
        json_url: None,
        html_url: None,
    }
}
