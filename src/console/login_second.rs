//! The second step of signing in, for accounts with a second factor: after the password,
//! a short-lived challenge cookie leads here, where a TOTP code or a recovery code finishes
//! the login. The challenge grants nothing else; failed codes count in the login throttle.
//! Never tells whether a code was a replay or simply wrong beyond "invalid or used".

use super::csrf;
use super::page::Chrome;
use super::session;
use crate::auth::LoginError;
use crate::auth::second_step::{self, CHALLENGE_TTL, SecondStepError};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub const CHALLENGE_COOKIE: &str = "__Host-plauder-2fa";
const PATH: &str = "/login/second-factor";

pub fn mount(r: &mut Routes<'_>) {
    // Public: the visitor of this page has no session yet, only the challenge cookie.
    r.get(PATH, Rule::Public, form_page);
    r.post(PATH, Rule::Public, submit);
}

fn challenge_cookie(value: String, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build(CHALLENGE_COOKIE, value)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(max_age)
        .finish()
}

/// The answer to a right password of an account with a second factor.
pub fn ask(challenge: String) -> HttpResponse {
    let ttl = CookieDuration::seconds(CHALLENGE_TTL.num_seconds());
    HttpResponse::SeeOther()
        .cookie(challenge_cookie(challenge, ttl))
        .insert_header((header::LOCATION, PATH))
        .finish()
}

fn challenge_of(req: &HttpRequest) -> Option<String> {
    req.cookie(CHALLENGE_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 43)
}

fn back_to_login() -> HttpResponse {
    HttpResponse::SeeOther()
        .cookie(challenge_cookie(String::new(), CookieDuration::ZERO))
        .insert_header((header::LOCATION, "/login?expired=1"))
        .finish()
}

#[derive(Template)]
#[template(path = "console/login_second.html")]
struct SecondPage {
    page: Chrome,
    error: Option<String>,
}

fn render(
    page: Chrome,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let view = SecondPage { page, error };
    view.page.render(&view, status)
}

async fn form_page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let Some(challenge) = challenge_of(&req) else {
        return Ok(back_to_login());
    };
    let pending = state
        .blocking(move |conn, st| second_step::pending(conn, &challenge, st.clock.naive()))
        .await?;
    if pending.is_none() {
        return Ok(back_to_login());
    }
    render(Chrome::new(&req, None)?, StatusCode::OK, None)
}

#[derive(Deserialize)]
struct CodeForm {
    csrf: Option<String>,
    code: String,
}

async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let page = Chrome::new(&req, None)?;
    if csrf::verify(&req, None, form.csrf.as_deref()).is_err() {
        let message = page.t.get("login.csrf").to_string();
        return render(page, StatusCode::FORBIDDEN, Some(message));
    }
    let Some(challenge) = challenge_of(&req) else {
        return Ok(back_to_login());
    };
    if form.code.len() > 64 {
        return Err(AppError::BadRequest("code: at most 64 characters".into()));
    }
    let client = crate::http::client::client_addr(&req, &state.trusted_proxies);
    let code = form.into_inner().code;
    let outcome = state
        .blocking(move |conn, st| {
            let outcome =
                second_step::complete(conn, &st.ring, st.clock.naive(), &challenge, &code, client);
            crate::audit::hooks::second_step(conn, &st.ring, st.clock.naive(), &challenge, outcome)
        })
        .await?;
    match outcome {
        Ok(ok) => {
            tracing::info!(
                staff_id = ok.staff.id.0,
                "staff signed in with a second factor"
            );
            Ok(HttpResponse::SeeOther()
                .cookie(session::session_cookie(ok.token))
                .cookie(challenge_cookie(String::new(), CookieDuration::ZERO))
                .insert_header((header::LOCATION, "/admin"))
                .finish())
        }
        Err(SecondStepError::Expired) => Ok(back_to_login()),
        Err(SecondStepError::Invalid { .. }) => {
            // The audit log has it (`audit::hooks::second_step`); the throttle counted it.
            let message = page.t.get("login.second.invalid").to_string();
            render(page, StatusCode::UNAUTHORIZED, Some(message))
        }
        Err(SecondStepError::Login(LoginError::Throttled { retry_after_secs })) => {
            let message = page.t.fill(
                "login.throttled",
                &[("seconds", &retry_after_secs.to_string())],
            );
            let mut response = render(page, StatusCode::TOO_MANY_REQUESTS, Some(message))?;
            if let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(SecondStepError::Login(LoginError::Invalid)) => Ok(back_to_login()),
        Err(SecondStepError::Login(LoginError::Db(e))) => Err(e.into()),
    }
}
