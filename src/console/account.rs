//! The signed-in user's own account page: second-factor status (set up on its own page),
//! active sessions with their coarse client (each can be ended), the password change (which
//! ends every other session) and, for staff who chat, how visitors see them.
//! Never shows a session's token or a full user agent; acts on the signed-in account only.

use super::account_appearance::{self as appearance, FieldErrors, Input};
use super::csrf;
use super::page::Chrome;
use super::session::{self, Authenticated};
use crate::access::{self, Area, Object, Permission};
use crate::auth::LoginError;
use crate::auth::password_change::{self, Change, ChangeError};
use crate::crypto::sha256;
use crate::db::operator_profiles::{self, STOCK};
use crate::db::{second_factor, sessions};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    let me = Rule::Staff(Permission::SignedIn);
    r.get("/account", me, page);
    r.post("/account/password", me, change_password);
    r.post("/account/sessions/end", me, end_session);
    // Only staff who chat have an appearance to visitors.
    r.post(
        "/account/appearance",
        Rule::Staff(Permission::Edit(Area::Conversations)),
        save_appearance,
    );
}

/// One session as its owner sees it.
pub struct SessionView {
    /// A one-way handle (hash of the stored hash): names the session in a form without
    /// revealing anything that could sign in.
    pub handle: String,
    pub client: String,
    pub created: String,
    pub last_seen: String,
    pub current: bool,
}

fn handle_of(token_hash: &[u8]) -> String {
    sha256(token_hash)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// "Firefox on Linux" from the stored "Firefox/Linux", in the page's language.
pub fn client_label(t: &Tr, stored: Option<&str>) -> String {
    let unknown = || t.get("account.sessions.unknown_client").to_string();
    let Some((browser, os)) = stored.and_then(|s| s.split_once('/')) else {
        return unknown();
    };
    match (browser.is_empty(), os.is_empty()) {
        (false, false) => t.fill(
            "account.sessions.client",
            &[("browser", browser), ("os", os)],
        ),
        (false, true) => browser.to_string(),
        (true, false) => os.to_string(),
        (true, true) => unknown(),
    }
}

/// The appearance form's state, shared with the admin's page.
pub struct AppearanceView {
    pub input: Input,
    pub errors: FieldErrors,
    pub stock: Vec<&'static str>,
    /// The current picture's address, for the preview.
    pub avatar_url: Option<String>,
    pub has_upload: bool,
    /// What visitors see now.
    pub shown_name: Option<String>,
    pub action: String,
    /// An admin edits another account (the labels speak of "this account", not "you").
    pub for_other: bool,
}

impl AppearanceView {
    pub fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| *k)
    }

    pub fn stock_checked(&self, name: &str) -> bool {
        self.input.avatar.strip_prefix("stock:") == Some(name)
    }

    /// The i18n key of a display choice.
    pub fn shown_label(&self, choice: &str) -> &'static str {
        match choice {
            "full" => "account.appearance.shown.full",
            "first" => "account.appearance.shown.first",
            _ => "account.appearance.shown.alias",
        }
    }
}

pub fn appearance_view(profile: &operator_profiles::Profile, action: String) -> AppearanceView {
    AppearanceView {
        input: Input::of(profile),
        errors: Vec::new(),
        stock: STOCK.to_vec(),
        avatar_url: profile.avatar.url(),
        has_upload: matches!(profile.avatar, operator_profiles::Avatar::Upload { .. }),
        shown_name: profile.shown_name(),
        for_other: !action.starts_with("/account"),
        action,
    }
}

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    page: Chrome,
    second_factor: bool,
    second_factor_required: bool,
    sessions: Vec<SessionView>,
    appearance: Option<AppearanceView>,
    password_error: Option<String>,
    notice: Option<String>,
}

fn chats(session: &Authenticated) -> bool {
    access::require(
        &session.actor,
        Permission::Edit(Area::Conversations),
        Object::None,
    )
    .is_ok()
}

struct Loaded {
    second_factor: bool,
    required: bool,
    sessions: Vec<sessions::SessionRow>,
    profile: operator_profiles::Profile,
}

async fn load(state: &AppState, session: &Authenticated) -> Result<Loaded, AppError> {
    let staff = session.info.staff.clone();
    let limits = session::timeouts(state);
    Ok(state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let list = sessions::list_for(conn, staff.id)?
                .into_iter()
                .filter(|s| {
                    now - s.last_seen_at <= limits.idle && now - s.created_at <= limits.absolute
                })
                .collect();
            Ok(Loaded {
                second_factor: second_factor::is_active(conn, staff.id)?,
                required: second_factor::required_for_role(conn, &second_factor::role_key(&staff))?,
                sessions: list,
                profile: operator_profiles::get(conn, &st.ring, staff.id)?,
            })
        })
        .await?)
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    password_error: Option<String>,
    notice: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let loaded = load(state, session).await?;
    let page = Chrome::new(req, Some(session))?;
    let own = sha256(session.token.as_bytes());
    let when = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let sessions = loaded
        .sessions
        .iter()
        .map(|s| SessionView {
            handle: handle_of(&s.token_hash),
            client: client_label(&page.t, s.client_label.as_deref()),
            created: when(s.created_at),
            last_seen: when(s.last_seen_at),
            current: s.token_hash == own,
        })
        .collect();
    let view = AccountPage {
        notice: notice.map(|k| page.t.get(k).to_string()),
        second_factor: loaded.second_factor,
        second_factor_required: loaded.required,
        sessions,
        appearance: chats(session)
            .then(|| appearance_view(&loaded.profile, "/account/appearance".into())),
        password_error,
        page,
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    let notice = match query.done.as_deref() {
        Some("password") => Some("account.password.changed"),
        Some("session") => Some("account.sessions.ended"),
        Some("appearance") => Some("account.appearance.saved"),
        _ => None,
    };
    render(&req, &state, &session, StatusCode::OK, None, notice).await
}

fn done(what: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/account?done={what}")))
        .finish()
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: Option<String>,
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let form = form.into_inner();
    if [&form.current, &form.new, &form.repeat]
        .iter()
        .any(|p| p.len() > 1024)
    {
        return Err(AppError::BadRequest("password: at most 1024 bytes".into()));
    }
    let client = crate::http::client::client_addr(&req, &state.trusted_proxies);
    let (account, token) = (session.info.staff.clone(), session.token.clone());
    let outcome = state
        .blocking(move |conn, st| {
            let change = Change {
                current: &form.current,
                new: &form.new,
                repeat: &form.repeat,
            };
            Ok(password_change::change_own(
                conn,
                &st.ring,
                st.clock.naive(),
                &account,
                &change,
                &token,
                client,
            ))
        })
        .await?;
    let t = Chrome::new(&req, Some(&session))?.t;
    let (status, message) = match outcome {
        Ok(ended) => {
            tracing::info!(
                staff_id = session.info.staff.id.0,
                ended,
                "password changed"
            );
            return Ok(done("password"));
        }
        Err(ChangeError::WrongCurrent) => (
            StatusCode::BAD_REQUEST,
            t.get("account.password.wrong_current").to_string(),
        ),
        Err(ChangeError::Mismatch) => (
            StatusCode::BAD_REQUEST,
            t.get("account.password.mismatch").to_string(),
        ),
        Err(ChangeError::Policy(p)) => (StatusCode::BAD_REQUEST, t.get(p.i18n_key()).to_string()),
        Err(ChangeError::Login(LoginError::Throttled { retry_after_secs })) => (
            StatusCode::TOO_MANY_REQUESTS,
            t.fill(
                "login.throttled",
                &[("seconds", &retry_after_secs.to_string())],
            ),
        ),
        Err(ChangeError::Login(LoginError::Invalid)) => (
            StatusCode::BAD_REQUEST,
            t.get("account.password.wrong_current").to_string(),
        ),
        Err(ChangeError::Login(LoginError::Db(e))) => return Err(e.into()),
    };
    render(&req, &state, &session, status, Some(message), None).await
}

#[derive(Deserialize)]
struct EndForm {
    csrf: Option<String>,
    session: String,
}

async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::SignedIn, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let handle = form.into_inner().session;
    if handle.len() != 32 {
        return Err(AppError::BadRequest("session: unknown session".into()));
    }
    let staff = session.info.staff.id;
    let own = sha256(session.token.as_bytes());
    let ended = state
        .blocking(move |conn, _| {
            // Only among the signed-in account's own sessions: another's handle finds nothing.
            let target = sessions::list_for(conn, staff)?
                .into_iter()
                .find(|s| handle_of(&s.token_hash) == handle);
            match target {
                Some(s) => Ok(Some((
                    sessions::delete_of(conn, staff, &s.token_hash)?,
                    s.token_hash == own,
                ))),
                None => Ok(None),
            }
        })
        .await?;
    match ended {
        Some((_, true)) => Ok(HttpResponse::SeeOther()
            .cookie(session::expired_session_cookie())
            .insert_header((header::LOCATION, "/login?bye=1"))
            .finish()),
        Some((_, false)) => Ok(done("session")),
        None => Err(AppError::BadRequest("session: unknown session".into())),
    }
}

#[derive(Template)]
#[template(path = "console/account_appearance.html")]
pub struct AppearancePage {
    pub page: Chrome,
    pub title: String,
    pub back: String,
    pub appearance: AppearanceView,
}

async fn save_appearance(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Conversations),
        Object::None,
    )?;
    let form = appearance::read_form(&req, payload).await?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let staff = session.info.staff.id;
    match super::account_admin::store_appearance(&state, staff, form).await? {
        Ok(()) => Ok(done("appearance")),
        Err(view) => {
            let page = Chrome::new(&req, Some(&session))?;
            let view = AppearancePage {
                title: page.t.get("account.appearance.title").to_string(),
                back: "/account".into(),
                appearance: AppearanceView {
                    action: "/account/appearance".into(),
                    ..*view
                },
                page,
            };
            view.page.render(&view, StatusCode::BAD_REQUEST)
        }
    }
}
