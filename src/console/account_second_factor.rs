//! The signed-in user's own second factor: enrol (secret and QR code, confirmed by a first
//! code before it counts), new recovery codes, turning it off. Recovery codes are shown once,
//! in the answer to the POST that made them, and never again. An account whose role
//! requires a second factor reaches only these pages until it has one.
//! Never shows another account's secret; never logs a secret or a code.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Object, Permission};
use crate::auth::second_step;
use crate::auth::{recovery, totp};
use crate::db::second_factor;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub const ENROL_PATH: &str = "/account/second-factor";

pub fn mount(r: &mut Routes<'_>) {
    let me = Rule::Staff(Permission::SignedIn);
    r.get(ENROL_PATH, me, page);
    r.post("/account/second-factor/begin", me, begin);
    r.post("/account/second-factor/confirm", me, confirm);
    r.post("/account/second-factor/recovery-codes", me, new_codes);
    r.post("/account/second-factor/disable", me, disable);
}

/// What an account that must enrol first may still reach: these pages and signing out.
pub fn allowed_while_enrolling(path: &str) -> bool {
    path == ENROL_PATH || path.starts_with("/account/second-factor/") || path == "/logout"
}

/// A factor waiting for its first code: what the user types or scans.
pub struct Pending {
    pub secret: String,
    pub qr: String,
    pub uri: String,
}

#[derive(Template)]
#[template(path = "console/account_second_factor.html")]
struct FactorPage {
    page: Chrome,
    active: bool,
    required: bool,
    must_enrol: bool,
    unused_codes: i64,
    pending: Option<Pending>,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/account_codes.html")]
struct CodesPage {
    page: Chrome,
    codes: Vec<String>,
}

struct Status {
    active: bool,
    required: bool,
    unused_codes: i64,
    pending: Option<Pending>,
}

async fn status(state: &AppState, session: &Authenticated) -> Result<Status, AppError> {
    let staff = session.info.staff.clone();
    state
        .blocking(move |conn, st| {
            let factor = second_factor::get(conn, &st.ring, staff.id)?;
            let required =
                second_factor::required_for_role(conn, &second_factor::role_key(&staff))?;
            let unused_codes = second_factor::unused_recovery_codes(conn, staff.id)?;
            let pending = match &factor {
                Some(f) if !f.active() => {
                    let uri = totp::otpauth_uri(&f.secret, &staff.username)
                        .map_err(|e| crate::db::DbError::Corrupt(e.to_string()))?;
                    let qr = totp::qr_svg(&uri)
                        .map_err(|e| crate::db::DbError::Corrupt(e.to_string()))?;
                    Some(Pending {
                        secret: totp::secret_for_display(&f.secret),
                        qr,
                        uri,
                    })
                }
                _ => None,
            };
            Ok(Status {
                active: factor.as_ref().is_some_and(|f| f.active()),
                required,
                unused_codes,
                pending,
            })
        })
        .await
        .map_err(AppError::from)
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status_code: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let s = status(state, session).await?;
    let page = Chrome::new(req, Some(session))?;
    let view = FactorPage {
        error: error.map(|k| page.t.get(k).to_string()),
        notice: notice.map(|k| page.t.get(k).to_string()),
        page,
        active: s.active,
        required: s.required,
        must_enrol: session.info.must_enrol,
        unused_codes: s.unused_codes,
        pending: s.pending,
    };
    view.page.render(&view, status_code)
}

#[derive(Deserialize)]
struct Query {
    done: Option<String>,
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    let notice = query.done.as_ref().map(|_| "account.2fa.disabled");
    render(&req, &state, &session, StatusCode::OK, None, notice).await
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn begin(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let staff = session.info.staff.id;
    let started = state
        .blocking(move |conn, st| {
            let secret = totp::new_secret()?;
            match second_factor::begin_enrolment(conn, &st.ring, staff, &secret, st.clock.naive()) {
                Ok(()) => Ok(true),
                Err(crate::db::DbError::Conflict(_)) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await?;
    if !started {
        return render(
            &req,
            &state,
            &session,
            StatusCode::CONFLICT,
            Some("account.2fa.already"),
            None,
        )
        .await;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, ENROL_PATH))
        .finish())
}

#[derive(Deserialize)]
struct CodeForm {
    csrf: Option<String>,
    code: String,
}

fn code_field(code: &str) -> Result<&str, AppError> {
    if code.len() > 64 {
        return Err(AppError::BadRequest("code: at most 64 characters".into()));
    }
    Ok(code)
}

async fn show_codes(
    req: &HttpRequest,
    session: &Authenticated,
    codes: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let view = CodesPage {
        page: Chrome::new(req, Some(session))?,
        codes,
    };
    view.page.render(&view, StatusCode::OK)
}

/// The first code proves the app holds the secret; only then does the factor count, and the
/// recovery codes are made and shown.
async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let code = code_field(&form.code)?.to_string();
    let staff = session.info.staff.id;
    let codes = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let Some(factor) = second_factor::get(conn, &st.ring, staff)?.filter(|f| !f.active())
            else {
                return Ok(None);
            };
            let Ok(step) = totp::check(&factor.secret, &code, second_step::unix_secs(now), None)
            else {
                return Ok(None);
            };
            let codes = recovery::generate()?;
            let hashes: Vec<Vec<u8>> = codes
                .iter()
                .filter_map(|c| recovery::hash(&st.ring, staff, c))
                .collect();
            Ok(second_factor::confirm(conn, staff, step, &hashes, now)?.then_some(codes))
        })
        .await?;
    match codes {
        Some(codes) => show_codes(&req, &session, codes).await,
        None => {
            render(
                &req,
                &state,
                &session,
                StatusCode::BAD_REQUEST,
                Some("account.2fa.wrong_code"),
                None,
            )
            .await
        }
    }
}

/// Checks a code of the signed-in account's active factor and uses it up.
async fn current_code_ok(
    state: &AppState,
    session: &Authenticated,
    code: String,
) -> Result<bool, AppError> {
    let staff = session.info.staff.clone();
    Ok(state
        .blocking(move |conn, st| {
            second_step::verify_code(conn, &st.ring, &staff, &code, st.clock.naive())
        })
        .await?
        .accepted())
}

async fn new_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let code = code_field(&form.code)?.to_string();
    if !current_code_ok(&state, &session, code).await? {
        return render(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            Some("account.2fa.wrong_code"),
            None,
        )
        .await;
    }
    let staff = session.info.staff.id;
    let codes = state
        .blocking(move |conn, st| {
            let codes = recovery::generate()?;
            let hashes: Vec<Vec<u8>> = codes
                .iter()
                .filter_map(|c| recovery::hash(&st.ring, staff, c))
                .collect();
            second_factor::replace_recovery_codes(conn, staff, &hashes, st.clock.naive())?;
            Ok(codes)
        })
        .await?;
    show_codes(&req, &session, codes).await
}

async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let code = code_field(&form.code)?.to_string();
    if status(&state, &session).await?.required {
        return render(
            &req,
            &state,
            &session,
            StatusCode::FORBIDDEN,
            Some("account.2fa.required_cannot_disable"),
            None,
        )
        .await;
    }
    if !current_code_ok(&state, &session, code).await? {
        return render(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            Some("account.2fa.wrong_code"),
            None,
        )
        .await;
    }
    let staff = session.info.staff.id;
    // This browser's session stays: the user just proved both factors.
    state
        .blocking(move |conn, _| second_factor::reset(conn, staff, false))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/account/second-factor?done=1"))
        .finish())
}
