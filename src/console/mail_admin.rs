//! `/admin/mail`: the relay as configured (settings:read; never the password, only whether
//! one is set) and a "send test mail" button (settings:edit, CSRF) to an address the admin
//! types. The mail settings live in the config file only; this page changes nothing.
//!
//! Audit: a `test_mail_sent` entry (object: settings) is written before the relay is
//! contacted (no entry, no mail); a failure adds a second one with outcome `failed`. The
//! typed address is not recorded anywhere.

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::audit::{self, Action, Entry, ObjectKind, Outcome};
use crate::config::MailSecurity;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::mail::{self, MailError, Summary};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const READ: Permission = Permission::Read(Area::Settings);
const EDIT: Permission = Permission::Edit(Area::Settings);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/mail", Rule::Staff(READ), show);
    r.post("/admin/mail/test", Rule::Staff(EDIT), test);
}

/// What the last test press did.
pub enum Tested {
    Sent(String),
    Failed(String),
    BadAddress,
}

#[derive(Template)]
#[template(path = "console/mail_admin.html")]
struct AdminPage {
    page: Chrome,
    relay: Option<Summary>,
    security: &'static str,
    typed: String,
    tested: Option<Tested>,
}

impl AdminPage {
    fn sent_to(&self) -> Option<&str> {
        match &self.tested {
            Some(Tested::Sent(to)) => Some(to),
            _ => None,
        }
    }

    fn failure(&self) -> Option<&str> {
        match &self.tested {
            Some(Tested::Failed(e)) => Some(e),
            _ => None,
        }
    }

    fn bad_address(&self) -> bool {
        matches!(self.tested, Some(Tested::BadAddress))
    }
}

fn security_key(s: MailSecurity) -> &'static str {
    match s {
        MailSecurity::Required => "mail.admin.security.required",
        MailSecurity::Tls => "mail.admin.security.tls",
        MailSecurity::None => "mail.admin.security.none",
    }
}

fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    typed: String,
    tested: Option<Tested>,
) -> Result<HttpResponse, AppError> {
    let relay = state.mailer.summary().cloned();
    let view = AdminPage {
        page: Chrome::new(req, Some(session))?,
        security: relay
            .as_ref()
            .map_or("mail.admin.off", |r| security_key(r.security)),
        relay,
        typed,
        tested,
    };
    view.page.render(&view, status)
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    render(&req, &state, &session, StatusCode::OK, String::new(), None)
}

#[derive(Deserialize)]
struct TestForm {
    csrf: Option<String>,
    #[serde(default)]
    to: String,
}

fn entry(state: &AppState, session: &Authenticated) -> Entry {
    Entry::new(
        state.clock.naive(),
        session.actor.staff,
        Action::TestMailSent,
        audit::Object::new(ObjectKind::Settings, None),
    )
}

async fn test(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<TestForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    super::csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let typed = form.into_inner().to.trim().to_string();
    let Some(relay) = state.mailer.summary() else {
        return render(&req, &state, &session, StatusCode::CONFLICT, typed, None);
    };
    if mail::recipient(&typed).is_err() {
        return render(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            typed,
            Some(Tested::BadAddress),
        );
    }
    let Some(from) = state.mailer.sender().cloned() else {
        return render(&req, &state, &session, StatusCode::CONFLICT, typed, None);
    };
    let (subject, body) = mail::test_mail(
        crate::i18n::Tr::new(super::page::lang_of(&req)),
        &relay.host,
    );
    let ok_entry = entry(&state, &session);
    state
        .blocking(move |conn, st| audit::append(conn, &st.ring, &ok_entry).map(|_| ()))
        .await?;
    let outgoing = mail::Outgoing {
        to: typed.clone(),
        subject,
        body,
        date: std::time::SystemTime::from(state.clock.now()),
    };
    let sent = match mail::build(&from, outgoing) {
        Ok(message) => state.mailer.send(message).await,
        Err(e) => Err(e),
    };
    let (status, tested) = match sent {
        Ok(()) => {
            tracing::info!("test mail sent");
            (StatusCode::OK, Tested::Sent(typed.clone()))
        }
        Err(e) => {
            tracing::warn!("test mail failed");
            let failed = entry(&state, &session).outcome(Outcome::Failed);
            let written = state
                .blocking(move |conn, st| audit::append(conn, &st.ring, &failed).map(|_| ()))
                .await;
            if let Err(db) = written {
                tracing::error!("audit entry of a failed test mail: {db}");
            }
            let status = match e {
                MailError::Message(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::BAD_GATEWAY,
            };
            (status, Tested::Failed(e.to_string()))
        }
    };
    render(&req, &state, &session, status, typed, Some(tested))
}
