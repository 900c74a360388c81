//! The reason asked before personal data opens, where the actor's role demands one for data
//! outside their own scope (`access::reason_needed`, the one decision): a transcript, a
//! contact's page, a person's JSON package. One form and one flow for all of them: the
//! plain GET shows the form where a reason is needed, which POSTs (with CSRF) to the very
//! same address, so the reason never lands in a URL, a browser history or a proxy log.
//! The typed reason then goes into the read's audit entry. Showing the form reads nothing
//! personal and leaves no entry: only the read itself is recorded. Decides nothing about
//! access: a page asks `needed` only for an object the actor may read (else it answers 404
//! as before), and asks again where the read binds.

use super::page::Chrome;
use super::session::Authenticated;
use crate::access;
use crate::error::AppError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use std::future::Future;

/// What is about to open: the form's words and the way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Transcript,
    Contact,
    /// A contact shown on the way to a change (its edit, merge and erase pages): the page's
    /// own POST is the change, so the form posts to `<path>/open` instead.
    ContactChange,
    /// A person's JSON package (a download).
    Export,
}

impl What {
    fn intro(self) -> &'static str {
        match self {
            Self::Transcript => "transcript.reason.intro",
            Self::Contact | Self::ContactChange => "reason.contact.intro",
            Self::Export => "reason.export.intro",
        }
    }

    fn open(self) -> &'static str {
        match self {
            Self::Transcript => "transcript.reason.open",
            Self::Contact | Self::ContactChange => "reason.contact.open",
            Self::Export => "reason.export.open",
        }
    }

    fn back(self) -> (&'static str, &'static str) {
        match self {
            Self::Transcript => ("/console/conversations", "search.title"),
            Self::Contact | Self::ContactChange | Self::Export => {
                ("/console/contacts", "contacts_list.title")
            }
        }
    }
}

#[derive(Template)]
#[template(path = "console/reason.html")]
struct ReasonPage {
    page: Chrome,
    /// The address the form came from (path and query), which also takes the POST.
    action: String,
    intro: &'static str,
    open: &'static str,
    back: &'static str,
    back_label: &'static str,
    typed: String,
    error: bool,
}

/// The POSTed form: CSRF token and the reason (empty when the field is missing).
#[derive(Deserialize)]
pub struct ReasonForm {
    pub csrf: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// What a page does next.
pub enum Step {
    /// Read, with the reason typed (`None`: none was typed, the read decides whether it
    /// needed one).
    Open(Option<String>),
    /// Show this answer (the form) instead.
    Ask(HttpResponse),
}

/// The address the request came to (path and query).
fn here(req: &HttpRequest) -> String {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.path().to_string(), |p| p.as_str().to_string())
}

/// The form; `typed` again with a message (400) when what was sent does not qualify.
pub fn form(
    req: &HttpRequest,
    session: &Authenticated,
    what: What,
    typed: Option<String>,
) -> Result<HttpResponse, AppError> {
    form_to(req, session, what, typed, here(req))
}

/// The form, posting to `action`.
fn form_to(
    req: &HttpRequest,
    session: &Authenticated,
    what: What,
    typed: Option<String>,
    action: String,
) -> Result<HttpResponse, AppError> {
    let (back, back_label) = what.back();
    let view = ReasonPage {
        page: Chrome::new(req, Some(session))?,
        action,
        intro: what.intro(),
        open: what.open(),
        back,
        back_label,
        error: typed.is_some(),
        typed: typed.unwrap_or_default(),
    };
    let status = if view.error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    view.page.render(&view, status)
}

/// The plain GET: the form when `needed` says so, else the read without a reason.
async fn on_get(
    req: &HttpRequest,
    session: &Authenticated,
    what: What,
    needed: impl Future<Output = Result<bool, AppError>>,
) -> Result<Step, AppError> {
    if !needed.await? {
        return Ok(Step::Open(None));
    }
    let action = match (what, req.uri().query()) {
        (What::ContactChange, Some(q)) => format!("{}/open?{q}", req.path()),
        (What::ContactChange, None) => format!("{}/open", req.path()),
        _ => here(req),
    };
    Ok(Step::Ask(form_to(req, session, what, None, action)?))
}

/// What a page does for the plain GET (`sent` is `None`) or the POSTed reason form: show
/// the form where a reason is needed and none qualifying came, else open with the reason
/// typed (`None`: none was; the read decides whether it needed one, where it binds).
pub async fn step(
    req: &HttpRequest,
    session: &Authenticated,
    what: What,
    sent: Option<ReasonForm>,
    needed: impl Future<Output = Result<bool, AppError>>,
) -> Result<Step, AppError> {
    match sent {
        None => on_get(req, session, what, needed).await,
        Some(form) => on_post(req, session, what, form, needed).await,
    }
}

/// The POST with a reason: CSRF first; a qualifying reason opens; one that does not
/// qualify shows the form again where a reason is needed (`needed` is asked only then),
/// else the same answer as the plain GET.
async fn on_post(
    req: &HttpRequest,
    session: &Authenticated,
    what: What,
    form_sent: ReasonForm,
    needed: impl Future<Output = Result<bool, AppError>>,
) -> Result<Step, AppError> {
    super::csrf::verify(req, Some(session), form_sent.csrf.as_deref())?;
    if let Some(reason) = access::typed_reason(&form_sent.reason) {
        return Ok(Step::Open(Some(reason)));
    }
    if needed.await? {
        return Ok(Step::Ask(form(req, session, what, Some(form_sent.reason))?));
    }
    Ok(Step::Open(None))
}

/// The refusal where a read finds a reason needed but none typed (the form was skipped).
pub fn missing() -> AppError {
    AppError::Forbidden("a reason is required".into())
}
