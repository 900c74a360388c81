//! The consent step of a visitor socket: the widget names the notice it showed (its hash)
//! and the language; the server checks it against the current notice of the widget and,
//! only if it matches, lets a conversation be created. Nothing is written here: the consent
//! record is stored with the conversation, in the same transaction.

use super::lang::VisitorLang;
use super::notice;
use super::protocol::{Outbound, Refusal, VERSION};
use super::socket::{Flow, VisitorSocket};
use crate::db::widgets;

impl VisitorSocket {
    pub(super) async fn consent(&mut self, hash: String, lang: VisitorLang) -> Flow {
        let id = self.widget.id;
        let loaded = self
            .state
            .blocking(move |conn, _| {
                let widget = widgets::by_id(conn, id)?;
                Ok((widget, notice::current(conn, id, lang)?))
            })
            .await;
        let (widget, current) = match loaded {
            Ok((Some(widget), current)) => (widget, current),
            Ok((None, _)) | Err(_) => return self.refuse(Refusal::Unavailable).await,
        };
        // The settings as they are now: a widget switched to privacy mode since the socket
        // opened must not store what was collected before.
        self.widget = widget;
        if self.widget.settings.privacy.privacy_mode {
            self.captured = None;
        }
        if current.hash != hash {
            return self.refuse(Refusal::StaleNotice).await;
        }
        let version = current.version.clone();
        self.consent = Some(current.given());
        self.send(Outbound::Consented {
            v: VERSION,
            version,
        })
        .await
    }
}
