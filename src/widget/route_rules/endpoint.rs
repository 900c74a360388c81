//! `POST /w/route`: the loader asks which widget this page should show. The page address
//! and language travel in the body (never in the URL, so no request log can hold them);
//! the user agent and client address come from the request. All of it is used to choose
//! and then dropped: no row, no cookie, no log line, no echo in an error.
//!
//! A rule only routes to a widget that may be embedded on the requesting page's origin:
//! another widget's iframe and websocket would refuse that page anyway, so such a rule is
//! skipped and the next one tried. Without a usable rule, the page keeps its own widget.

use super::matching::{Visit, first_accept_language, page_address, primary_subtag};
use crate::db::widgets::{self, Widget};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::Method;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

/// Enough for the JSON of a long page address; anything bigger is refused unread.
const MAX_BODY: usize = 8 * 1024;
const MAX_URL: usize = 2048;
const MAX_UA: usize = 1024;

pub fn mount(r: &mut Routes<'_>) {
    r.add_with(Method::POST, "/w/route", Rule::Public, route, |res| {
        res.app_data(web::PayloadConfig::new(MAX_BODY))
    });
}

#[derive(Deserialize)]
struct RouteRequest {
    widget: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    lang: Option<String>,
}

fn allows(widget: &Widget, origin: &str) -> bool {
    widget.settings.allowed_origins.iter().any(|o| o == origin)
}

async fn route(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    // The loader sends text/plain so the browser needs no CORS preflight: parse regardless.
    // serde's message could quote the body; say only what was expected.
    let asked: RouteRequest = serde_json::from_slice(&body).map_err(|_| {
        AppError::BadRequest("body must be JSON with `widget`, `url` and `lang`".into())
    })?;
    if asked.widget.is_empty() || asked.widget.len() > 64 {
        return Err(AppError::NotFound);
    }
    if asked.url.len() > MAX_URL {
        return Err(AppError::BadRequest(format!(
            "`url` is longer than {MAX_URL} bytes"
        )));
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_ascii_lowercase);
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .filter(|ua| ua.len() <= MAX_UA)
        .unwrap_or("")
        .to_string();
    let lang = asked.lang.as_deref().and_then(primary_subtag).or_else(|| {
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|h| h.to_str().ok())
            .and_then(first_accept_language)
    });
    let client = crate::http::client::client_addr(&req, &state.trusted_proxies);
    let origin_for_work = origin.clone();
    let (chosen, cors) = state
        .blocking(move |conn, st| {
            let Some(default) = widgets::by_public_id(conn, &asked.widget)? else {
                return Ok(None);
            };
            let Some(origin) = origin_for_work.filter(|o| allows(&default, o)) else {
                // Not an allowed page: the browser may not read the answer anyway.
                return Ok(Some((default.public_id, false)));
            };
            let snapshot = st.widget_router.snapshot(conn)?;
            let geo = st.widget_router.geo();
            let visit = Visit {
                url: page_address(&asked.url),
                user_agent: &user_agent,
                lang: lang.as_deref(),
            };
            let candidates = snapshot.candidates(&visit, || {
                geo.as_ref().zip(client).and_then(|(g, ip)| g.country(ip))
            });
            for id in candidates {
                if id == default.id {
                    return Ok(Some((default.public_id, true)));
                }
                if let Some(target) = widgets::by_id(conn, id)?.filter(|w| allows(w, &origin)) {
                    return Ok(Some((target.public_id, true)));
                }
            }
            Ok(Some((default.public_id, true)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(origin) = origin.filter(|_| cors) {
        response.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        response.insert_header((header::VARY, "Origin"));
    }
    Ok(response.json(serde_json::json!({ "widget": chosen })))
}
