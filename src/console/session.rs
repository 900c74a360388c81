//! The session cookie and the extractor that turns it into an authenticated staff member.

use crate::access::{self, Actor, Object, Permission};
use crate::auth::{self, SessionInfo, Timeouts};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::HttpMessage as _;
use actix_web::body::BoxBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "__Host-plauder";

pub fn session_cookie(token: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish()
}

pub fn expired_session_cookie() -> Cookie<'static> {
    let mut cookie = session_cookie(String::new());
    cookie.set_max_age(CookieDuration::ZERO);
    cookie
}

pub fn timeouts(state: &AppState) -> Timeouts {
    let session = &state.config.session;
    Timeouts {
        idle: chrono::TimeDelta::minutes(
            i64::try_from(session.idle_timeout_minutes).unwrap_or(i64::MAX / 120_000),
        ),
        absolute: chrono::TimeDelta::hours(
            i64::try_from(session.absolute_timeout_hours).unwrap_or(i64::MAX / 7_200_000),
        ),
    }
}

/// A request with a valid session; handlers that take it are closed to everyone else.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub info: SessionInfo,
    pub token: String,
    /// Role matrix and teams as stored now: loaded per request, so changes apply at once.
    pub actor: Actor,
}

/// Like `Authenticated`, but absence is not an error (login page, language switch).
#[derive(Debug, Clone)]
pub struct MaybeAuthenticated(pub Option<Authenticated>);

async fn lookup(
    state: Option<web::Data<AppState>>,
    token: Option<String>,
) -> Result<Option<Authenticated>, AppError> {
    let state = state.ok_or_else(|| AppError::Internal("application state missing".into()))?;
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() < 128) else {
        return Ok(None);
    };
    let limits = timeouts(&state);
    let lookup_token = token.clone();
    let found = state
        .blocking(move |conn, st| {
            let Some(info) = auth::authenticate(conn, &lookup_token, st.clock.naive(), limits)?
            else {
                return Ok(None);
            };
            let actor = Actor::load(conn, &info.staff)?;
            Ok(Some((info, actor)))
        })
        .await?;
    Ok(found.map(|(info, actor)| Authenticated { info, token, actor }))
}

/// The guard `http::routes` puts in front of every staff route: a valid session, then
/// `access::require` with the route's permission, all before the handler reads its input.
/// The session is left in the request for the handler's own `Authenticated`.
pub async fn guard(
    permission: Permission,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let session = match req.extract::<Authenticated>().await {
        Ok(session) => session,
        Err(e) => return Ok(req.error_response(e)),
    };
    if let Err(denied) = access::require(&session.actor, permission, Object::None) {
        return Ok(req.error_response(AppError::from(denied)));
    }
    req.extensions_mut().insert(session);
    next.call(req).await
}

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl FromRequest for Authenticated {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The route guard has looked the session up already.
        if let Some(found) = req.extensions().get::<Authenticated>().cloned() {
            return Box::pin(async move { Ok(found) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        // An account whose role requires a second factor it lacks may only set one up.
        let enrolling = super::account_second_factor::allowed_while_enrolling(req.path());
        Box::pin(async move {
            let found = lookup(state, token).await?.ok_or(AppError::LoginRequired)?;
            if found.info.must_enrol && !enrolling {
                return Err(AppError::SecondFactorRequired);
            }
            Ok(found)
        })
    }
}

impl FromRequest for MaybeAuthenticated {
    type Error = AppError;
    type Future = Fut<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        Box::pin(async move { Ok(MaybeAuthenticated(lookup(state, token).await?)) })
    }
}
