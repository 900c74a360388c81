//! What every staff page shares: language, CSRF token, the signed-in user; and the
//! language switch.

use super::csrf;
use super::session::{Authenticated, MaybeAuthenticated};
use crate::access::{Area, Level, Matrix};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::{Lang, Tr};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use serde::Deserialize;

pub const LANG_COOKIE: &str = "__Host-plauder-lang";

pub fn mount(r: &mut Routes<'_>) {
    r.post("/lang", Rule::Public, switch_language);
}

/// A language offered in the switcher.
pub struct LangChoice {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// The frame of every staff page.
pub struct Chrome {
    pub t: Tr,
    pub csrf: String,
    pub path: String,
    pub user: Option<String>,
    /// The signed-in role is the built-in Admin (a display hint, like `matrix`).
    #[allow(dead_code, reason = "read by templates of other areas")]
    pub is_admin: bool,
    /// The signed-in role's matrix, for showing only the links it can use (a display hint:
    /// every handler decides again through `access::require`). Empty before sign-in.
    pub matrix: Matrix,
    pub langs: Vec<LangChoice>,
    new_cookie: Option<Cookie<'static>>,
}

pub fn lang_of(req: &HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|h| h.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::FALLBACK)
}

impl Chrome {
    pub fn new(req: &HttpRequest, session: Option<&Authenticated>) -> Result<Self, AppError> {
        let lang = lang_of(req);
        let (csrf, new_cookie) = csrf::token_for(req, session)?;
        let langs = Lang::ALL
            .into_iter()
            .map(|l| LangChoice {
                code: l.code(),
                name: Tr::new(l).get("lang.name"),
                current: l == lang,
            })
            .collect();
        Ok(Self {
            t: Tr::new(lang),
            csrf,
            path: req.path().to_string(),
            user: session.map(|s| s.info.staff.username.clone()),
            is_admin: session.is_some_and(|s| s.actor.is_admin()),
            matrix: session.map_or_else(Matrix::empty, |s| s.actor.matrix),
            langs,
            new_cookie,
        })
    }

    /// Whether to show links into an area (by its key, e.g. "widgets") for reading.
    pub fn may_read(&self, area: &str) -> bool {
        Area::parse(area).is_some_and(|a| self.matrix.get(a).level >= Level::Read)
    }

    /// Whether to show links into an area for changing it.
    pub fn may_edit(&self, area: &str) -> bool {
        Area::parse(area).is_some_and(|a| self.matrix.get(a).level >= Level::Edit)
    }

    /// Renders a template into a page response with `status`.
    pub fn render(
        &self,
        view: &impl askama::Template,
        status: actix_web::http::StatusCode,
    ) -> Result<HttpResponse, AppError> {
        Ok(self.respond(HttpResponse::build(status), view.render()?))
    }

    /// Renders a page into a response, setting the pre-session CSRF cookie if one was made.
    pub fn respond(&self, mut builder: HttpResponseBuilder, html: String) -> HttpResponse {
        if let Some(cookie) = &self.new_cookie {
            builder.cookie(cookie.clone());
        }
        builder
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html)
    }
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    csrf: Option<String>,
    next: Option<String>,
}

/// Only same-site paths, so the switch cannot be used as an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn switch_language(
    req: HttpRequest,
    session: MaybeAuthenticated,
    form: web::Form<LangForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, session.0.as_ref(), form.csrf.as_deref())?;
    let lang = Lang::from_code(&form.lang)
        .ok_or_else(|| AppError::BadRequest(format!("unknown language `{}`", form.lang)))?;
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .secure(true)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(365))
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, safe_next(form.next.as_deref())))
        .finish())
}
