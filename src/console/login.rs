//! Sign-in and sign-out.

use super::csrf;
use super::page::Chrome;
use super::session::{self, Authenticated, MaybeAuthenticated};
use crate::access::Permission;
use crate::auth::{self, LoginError};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/", Rule::Public, root);
    r.get("/login", Rule::Public, login_page);
    r.post("/login", Rule::Public, login_submit);
    r.post("/logout", Rule::Staff(Permission::SignedIn), logout);
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    page: Chrome,
    error: Option<String>,
    notice: Option<String>,
    username: String,
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

async fn root(session: MaybeAuthenticated) -> HttpResponse {
    see_other(if session.0.is_some() {
        "/admin"
    } else {
        "/login"
    })
}

#[derive(Deserialize)]
struct LoginQuery {
    bye: Option<String>,
    /// Back from an unfinished or expired second step.
    expired: Option<String>,
}

async fn login_page(
    req: HttpRequest,
    session: MaybeAuthenticated,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    if session.0.is_some() {
        return Ok(see_other("/admin"));
    }
    let page = Chrome::new(&req, None)?;
    let notice = if query.expired.is_some() {
        Some(page.t.get("login.second.expired").to_string())
    } else {
        query
            .bye
            .as_ref()
            .map(|_| page.t.get("login.logged_out").to_string())
    };
    render(page, StatusCode::OK, None, notice, String::new())
}

fn render(
    page: Chrome,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    username: String,
) -> Result<HttpResponse, AppError> {
    let view = LoginPage {
        page,
        error,
        notice,
        username,
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: Option<String>,
}

async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let page = Chrome::new(&req, None)?;
    if csrf::verify(&req, None, form.csrf.as_deref()).is_err() {
        let message = page.t.get("login.csrf").to_string();
        return render(
            page,
            StatusCode::FORBIDDEN,
            Some(message),
            None,
            form.username,
        );
    }
    if form.username.len() > 200 || form.password.len() > 1024 {
        return Err(AppError::BadRequest(
            "user name or password too long".into(),
        ));
    }
    let client = crate::http::client::client_addr(&req, &state.trusted_proxies);
    // Only the coarse client ("Firefox/Linux") is kept, for the user's list of sessions.
    let label = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .and_then(crate::http::user_agent::coarse);
    let (username, password) = (form.username.clone(), form.password);
    let outcome = state
        .blocking(move |conn, st| {
            let outcome = auth::login(
                conn,
                &st.ring,
                st.clock.naive(),
                &username,
                &password,
                client,
                label.as_deref(),
            );
            crate::audit::hooks::login(conn, &st.ring, st.clock.naive(), &username, outcome)
        })
        .await?;
    match outcome {
        Ok(ok) if ok.second_factor_pending => Ok(super::login_second::ask(ok.token)),
        Ok(ok) => {
            tracing::info!(staff_id = ok.staff.id.0, "staff signed in");
            Ok(HttpResponse::SeeOther()
                .cookie(session::session_cookie(ok.token))
                .insert_header((header::LOCATION, "/admin"))
                .finish())
        }
        Err(LoginError::Invalid) => {
            let message = page.t.get("login.invalid").to_string();
            render(
                page,
                StatusCode::UNAUTHORIZED,
                Some(message),
                None,
                form.username,
            )
        }
        Err(LoginError::Throttled { retry_after_secs }) => {
            let message = page.t.fill(
                "login.throttled",
                &[("seconds", &retry_after_secs.to_string())],
            );
            let mut response = render(
                page,
                StatusCode::TOO_MANY_REQUESTS,
                Some(message),
                None,
                form.username,
            )?;
            if let Ok(value) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(LoginError::Db(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: Option<String>,
}

async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let token = session.token.clone();
    let me = session.actor.staff;
    state
        .blocking(move |conn, st| {
            let entry = crate::audit::hooks::logout(st.clock.naive(), me);
            crate::audit::before(conn, &st.ring, &entry, |c| auth::logout(c, &token))
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .cookie(session::expired_session_cookie())
        .insert_header((header::LOCATION, "/login?bye=1"))
        .finish())
}
