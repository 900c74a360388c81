//! `/admin/settings`: settings made in the admin UI (stored with `db::settings`), one
//! section per area. Reading needs "settings: read", changing "settings: edit"; every change
//! is audited (`settings_changed`) in the transaction that stores it.
//!
//! To add a section: a field on `SettingsPage` with what it shows, a block in
//! templates/console/settings.html with its own form posting to `/admin/settings/<area>`,
//! and a handler here that validates, stores with `changed` and answers with `saved`.
//! The module that owns a key parses it; this one only shows and stores.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use super::statistics::naming::{self, OperatorNames};
use crate::access::{self, Area, Object as Target, Permission};
use crate::audit::{self, Action, Entry, Object, ObjectKind};
use crate::db::approvals::{MAX_EXPIRY_HOURS, MAX_THRESHOLD, Policy};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const READ: Permission = Permission::Read(Area::Settings);
const EDIT: Permission = Permission::Edit(Area::Settings);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/settings", Rule::Staff(READ), show);
    r.post(
        "/admin/settings/statistics",
        Rule::Staff(EDIT),
        save_statistics,
    );
    r.post(
        "/admin/settings/approvals",
        Rule::Staff(EDIT),
        save_approvals,
    );
}

/// A choice of a radio group.
pub struct Choice {
    pub value: &'static str,
    pub checked: bool,
    /// i18n keys of its label and explanation.
    pub label: &'static str,
    pub hint: &'static str,
}

fn naming_keys(v: OperatorNames) -> (&'static str, &'static str) {
    match v {
        OperatorNames::Named => (
            "settings.statistics.named",
            "settings.statistics.named.hint",
        ),
        OperatorNames::Anonymised => (
            "settings.statistics.anonymised",
            "settings.statistics.anonymised.hint",
        ),
        OperatorNames::Omitted => (
            "settings.statistics.omitted",
            "settings.statistics.omitted.hint",
        ),
    }
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    page: Chrome,
    /// Operator naming in statistics.
    operator_names: Vec<Choice>,
    /// Four-eyes approval: threshold (0 = none) and expiry in hours, as shown in the form.
    approvals: (String, String),
    /// The section a form error belongs to and its message.
    error: Option<(&'static str, String)>,
    saved: bool,
}

impl SettingsPage {
    fn error_for(&self, section: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(s, _)| *s == section)
            .map(|(_, m)| m.as_str())
    }
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    error: Option<(&'static str, String)>,
    saved: bool,
) -> Result<HttpResponse, AppError> {
    let (current, policy) = state
        .blocking(|conn, _| Ok((naming::load(conn)?, Policy::load(conn)?)))
        .await?;
    let view = SettingsPage {
        page: Chrome::new(req, Some(session))?,
        operator_names: OperatorNames::ALL
            .into_iter()
            .map(|v| {
                let (label, hint) = naming_keys(v);
                Choice {
                    value: v.as_str(),
                    checked: v == current,
                    label,
                    hint,
                }
            })
            .collect(),
        approvals: (
            policy.threshold.to_string(),
            policy.expiry_hours.to_string(),
        ),
        error,
        saved,
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Target::None)?;
    let saved = query.done.as_deref() == Some("saved");
    render(&req, &state, &session, StatusCode::OK, None, saved).await
}

/// Stores `work`'s change with its audit entry, in one transaction.
async fn changed(
    state: &AppState,
    session: &Authenticated,
    work: impl FnOnce(&mut crate::db::DbConn, chrono::NaiveDateTime) -> crate::db::DbResult<()>
    + Send
    + 'static,
) -> Result<(), AppError> {
    let me = session.actor.staff;
    state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let object = Object::new(ObjectKind::Settings, None);
            let entry = Entry::new(now, me, Action::SettingsChanged, object);
            audit::before(conn, &st.ring, &entry, |conn| work(conn, now))
        })
        .await?;
    Ok(())
}

fn saved() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/settings?done=saved"))
        .finish()
}

#[derive(Deserialize)]
struct StatisticsForm {
    csrf: Option<String>,
    operator_names: Option<String>,
}

async fn save_statistics(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<StatisticsForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Target::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let Some(value) = form
        .operator_names
        .as_deref()
        .and_then(OperatorNames::parse)
    else {
        let t = crate::i18n::Tr::new(super::page::lang_of(&req));
        let message = t.get("settings.statistics.error").to_string();
        let error = Some(("statistics", message));
        return render(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            error,
            false,
        )
        .await;
    };
    changed(&state, &session, move |conn, now| {
        naming::store(conn, value, now)
    })
    .await?;
    Ok(saved())
}

#[derive(Deserialize)]
struct ApprovalsForm {
    csrf: Option<String>,
    threshold: Option<String>,
    expiry_hours: Option<String>,
}

/// Four-eyes approval (`db::approvals`): above how many conversations an export or a bulk
/// deletion waits for a second person (0: never), and how long a request stays valid.
async fn save_approvals(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<ApprovalsForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Target::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let number = |v: &Option<String>| v.as_deref().map(str::trim).and_then(|v| v.parse().ok());
    let threshold = number(&form.threshold).filter(|t: &u32| *t <= MAX_THRESHOLD);
    let expiry = number(&form.expiry_hours).filter(|h: &u32| (1..=MAX_EXPIRY_HOURS).contains(h));
    let (Some(threshold), Some(expiry_hours)) = (threshold, expiry) else {
        let t = crate::i18n::Tr::new(super::page::lang_of(&req));
        let message = t.get("settings.approvals.error").to_string();
        let error = Some(("approvals", message));
        return render(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            error,
            false,
        )
        .await;
    };
    let policy = Policy {
        threshold,
        expiry_hours,
    };
    changed(&state, &session, move |conn, now| policy.store(conn, now)).await?;
    Ok(saved())
}
