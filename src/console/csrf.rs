//! CSRF protection. Signed-in forms carry the session's synchronizer token (stored server
//! side). Forms before sign-in (login, language) use a random token in a `__Host-` cookie
//! that must match the form field (double submit).

use super::session::Authenticated;
use crate::crypto::same_secret;
use crate::error::AppError;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

pub const PRE_SESSION_COOKIE: &str = "__Host-plauder-csrf";

/// The token a form must carry, and a cookie to set when a new pre-session token was made.
pub fn token_for(
    req: &HttpRequest,
    session: Option<&Authenticated>,
) -> Result<(String, Option<Cookie<'static>>), AppError> {
    if let Some(s) = session {
        return Ok((s.info.csrf.clone(), None));
    }
    if let Some(existing) = req
        .cookie(PRE_SESSION_COOKIE)
        .filter(|c| c.value().len() == 43)
    {
        return Ok((existing.value().to_string(), None));
    }
    let token = crate::auth::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let cookie = Cookie::build(PRE_SESSION_COOKIE, token.clone())
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    Ok((token, Some(cookie)))
}

/// Refuses the request (403) unless the form carried the expected token.
pub fn verify(
    req: &HttpRequest,
    session: Option<&Authenticated>,
    submitted: Option<&str>,
) -> Result<(), AppError> {
    let expected = match session {
        Some(s) => Some(s.info.csrf.clone()),
        None => req
            .cookie(PRE_SESSION_COOKIE)
            .map(|c| c.value().to_string()),
    };
    match (expected, submitted) {
        (Some(e), Some(s)) if !e.is_empty() && same_secret(e.as_bytes(), s.as_bytes()) => Ok(()),
        _ => Err(AppError::Forbidden(
            "missing or invalid CSRF token; reload the form".into(),
        )),
    }
}
