//! "Send transcript to the customer" on a transcript page: POST
//! /console/conversations/{id}/mail. Needs conversations:read within the scope (outside it
//! the answer is the 404 of a missing conversation), CSRF, a configured relay and an e-mail
//! address on the conversation; where the role demands a reason for this conversation
//! (`access::reason_needed`), the typed reason too.
//!
//! Audit: the `transcript_mailed` entry is written in the same transaction as the read that
//! builds the mail (no entry, no mail). Sending happens after that commit: a database write
//! transaction is never held open across a network call to the relay. When the relay then
//! fails, a second `transcript_mailed` entry with outcome `failed` follows, so the log reads
//! "read for mailing: ok" then "delivery: failed". The relay's error text goes to the page,
//! never into the log or the audit entry (it may name the address).

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::audit::{self, Action, Entry, Outcome};
use crate::db::conversations::{self, Conversation, ConversationId};
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::mail::{self, MailError};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const READ: Permission = Permission::Read(Area::Conversations);

pub fn mount(r: &mut Routes<'_>) {
    r.post("/console/conversations/{id}/mail", Rule::Staff(READ), send);
}

/// What the transcript page offers (computed inside its audited read).
pub struct Offer {
    pub configured: bool,
    pub has_address: bool,
    pub reason_needed: bool,
}

impl Offer {
    /// For the transcript page of `c`; the caller has allowed the actor to read it.
    pub fn of(
        conn: &mut DbConn,
        state: &AppState,
        c: &Conversation,
        actor: &access::Actor,
    ) -> DbResult<Self> {
        if !state.mailer.enabled() {
            return Ok(Self {
                configured: false,
                has_address: false,
                reason_needed: false,
            });
        }
        let object = access::conversation(conn, c)?;
        Ok(Self {
            configured: true,
            has_address: c
                .contact(&state.ring)?
                .1
                .is_some_and(|e| !e.trim().is_empty()),
            reason_needed: access::reason_needed(conn, actor, &object)?,
        })
    }
}

#[derive(Template)]
#[template(path = "console/mail_result.html")]
struct ResultPage {
    page: Chrome,
    id: i64,
    sent: bool,
    /// An i18n key saying what happened.
    message: &'static str,
    /// The relay's reply on failure (never holds the password).
    relay_error: Option<String>,
}

#[derive(Deserialize)]
struct MailForm {
    csrf: Option<String>,
    #[serde(default)]
    reason: String,
}

/// Why the audited read did not produce a mail.
enum Stop {
    Refused(AppError),
    NoAddress,
}

fn result(
    req: &HttpRequest,
    session: &Authenticated,
    id: ConversationId,
    status: StatusCode,
    message: &'static str,
    relay_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let view = ResultPage {
        page: Chrome::new(req, Some(session))?,
        id: id.0,
        sent: status == StatusCode::OK,
        message,
        relay_error,
    };
    view.page.render(&view, status)
}

/// Before anything is read: `None` when the conversation is missing or outside the scope,
/// else whether the actor must type a reason for it. Reads nothing personal.
async fn visible(
    state: &AppState,
    session: &Authenticated,
    id: ConversationId,
) -> Result<Option<bool>, AppError> {
    let actor = session.actor.clone();
    Ok(state
        .blocking(move |conn, _| {
            let Some(c) = conversations::by_id(conn, id)? else {
                return Ok(None);
            };
            let object = access::conversation(conn, &c)?;
            if access::require(&actor, READ, object.clone()).is_err() {
                return Ok(None);
            }
            Ok(Some(access::reason_needed(conn, &actor, &object)?))
        })
        .await?)
}

async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<MailForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    super::csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = ConversationId(path.into_inner());
    let visible = visible(&state, &session, id).await?;
    let Some(from) = state.mailer.sender().cloned() else {
        // Nothing can be read or sent; a hidden conversation still answers like a missing one.
        if visible.is_none() {
            return Err(AppError::NotFound);
        }
        return result(
            &req,
            &session,
            id,
            StatusCode::CONFLICT,
            "mail.form.not_configured",
            None,
        );
    };
    // A hidden or missing conversation goes on to the audited read: it records the refusal
    // and answers 404.
    let reason = access::typed_reason(&form.reason);
    if reason.is_none() && visible == Some(true) {
        return result(
            &req,
            &session,
            id,
            StatusCode::BAD_REQUEST,
            "mail.result.reason_needed",
            None,
        );
    }
    let actor = session.actor.clone();
    let read = state
        .blocking(move |conn, st| {
            let mut entry = Entry::new(
                st.clock.naive(),
                actor.staff,
                Action::TranscriptMailed,
                audit::Object::conversation(id),
            );
            let typed = reason.is_some();
            entry.reason = reason;
            let date = std::time::SystemTime::from(st.clock.now());
            audit::read_or(
                conn,
                &st.ring,
                entry,
                |conn| {
                    let Some(c) = conversations::by_id(conn, id)? else {
                        return Ok(Err(Stop::Refused(AppError::NotFound)));
                    };
                    // Decided before anything personal is decrypted; outside the scope is a 404.
                    let object = access::conversation(conn, &c)?;
                    if let Err(denied) = access::require(&actor, READ, object.clone()) {
                        return Ok(Err(Stop::Refused(AppError::from(denied))));
                    }
                    // Asked before the read; asked again here, where it binds.
                    if !typed && access::reason_needed(conn, &actor, &object)? {
                        return Ok(Err(Stop::Refused(AppError::Forbidden(
                            "a reason is required".into(),
                        ))));
                    }
                    let Some(t) = mail::transcript::load(conn, &st.ring, &c)? else {
                        return Ok(Err(Stop::NoAddress));
                    };
                    let (subject, body) = mail::transcript::render(&t);
                    Ok(Ok(mail::Outgoing {
                        to: t.to,
                        subject,
                        body,
                        date,
                    }))
                },
                |stop| match stop {
                    Stop::Refused(e) => audit::hooks::outcome_of(e),
                    Stop::NoAddress => Outcome::Failed,
                },
            )
        })
        .await?;
    let outgoing = match read {
        Ok(outgoing) => outgoing,
        Err(Stop::Refused(e)) => return Err(e),
        Err(Stop::NoAddress) => {
            return result(
                &req,
                &session,
                id,
                StatusCode::CONFLICT,
                "mail.form.no_address",
                None,
            );
        }
    };
    let sent = match mail::build(&from, outgoing) {
        Ok(message) => state.mailer.send(message).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => {
            tracing::info!(conversation = id.0, "transcript mailed");
            result(&req, &session, id, StatusCode::OK, "mail.result.sent", None)
        }
        Err(e) => {
            tracing::warn!(conversation = id.0, "transcript mail failed");
            record_failure(&state, &session, id).await;
            let status = match e {
                MailError::Message(_) => StatusCode::CONFLICT,
                _ => StatusCode::BAD_GATEWAY,
            };
            result(
                &req,
                &session,
                id,
                status,
                "mail.result.failed",
                Some(e.to_string()),
            )
        }
    }
}

/// The second entry: delivery failed. If even that cannot be written, the log says so; the
/// page still shows the failure (no mail went out, so nothing is unrecorded that happened).
async fn record_failure(state: &AppState, session: &Authenticated, id: ConversationId) {
    let staff = session.actor.staff;
    let written = state
        .blocking(move |conn, st| {
            let entry = Entry::new(
                st.clock.naive(),
                staff,
                Action::TranscriptMailed,
                audit::Object::conversation(id),
            )
            .outcome(Outcome::Failed);
            audit::append(conn, &st.ring, &entry).map(|_| ())
        })
        .await;
    if let Err(e) = written {
        tracing::error!(
            conversation = id.0,
            "audit entry of a failed transcript mail: {e}"
        );
    }
}
