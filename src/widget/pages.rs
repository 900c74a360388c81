//! What a visitor's browser loads: the loader script, the widget's look, the chat iframe.
//! Loading any of these stores nothing, neither in the browser nor on the server.

use crate::db::widgets::{self, Widget};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use crate::widget::lang::{VisitorLang, VisitorTr};
use crate::widget::notice::{self, Notice};
use crate::widget::privacy::PrivacySettings;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

const LOADER_JS: &str = include_str!("../../templates/widget/loader.js");
const CHAT_JS: &str = include_str!("../../templates/widget/chat.js");
const CHAT_CSS: &str = include_str!("../../templates/widget/chat.css");

pub fn mount(r: &mut Routes<'_>) {
    r.get("/widget.js", Rule::Public, loader);
    r.get("/static/widget-chat.js", Rule::Public, chat_js);
    r.get("/static/widget-chat.css", Rule::Public, chat_css);
    r.get("/w/{public_id}/config", Rule::Public, config);
    r.get("/w/{public_id}/theme.css", Rule::Public, theme);
    r.get("/w/{public_id}", Rule::Public, frame);
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        // Loaded by other sites' pages: allow that explicitly.
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(body)
}

async fn loader() -> HttpResponse {
    asset("text/javascript; charset=utf-8", LOADER_JS)
}

async fn chat_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", CHAT_JS)
}

async fn chat_css() -> HttpResponse {
    asset("text/css; charset=utf-8", CHAT_CSS)
}

async fn load(state: &AppState, public_id: String) -> Result<Widget, AppError> {
    if public_id.len() > 64 {
        return Err(AppError::NotFound);
    }
    state
        .blocking(move |conn, _| widgets::by_public_id(conn, &public_id))
        .await?
        .ok_or(AppError::NotFound)
}

/// The browser's language if it is one of the 24, else the widget's default language.
fn visitor_lang(req: &HttpRequest, widget: &Widget) -> VisitorLang {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|h| h.to_str().ok());
    VisitorLang::choose(accept, Some(widget.settings.default_lang))
}

/// Look and label of the launcher button, readable by the embedding sites only.
async fn config(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let widget = load(&state, path.into_inner()).await?;
    let t = VisitorTr::new(visitor_lang(&req, &widget));
    let body = serde_json::json!({
        "accent": widget.settings.accent_color,
        "position": widget.settings.position.as_str(),
        "open": t.get("widget.open"),
        "close": t.get("widget.close"),
        "title": t.get("widget.title"),
        // Whether the loader hands the page address to the chat (never in privacy mode).
        "capture": !widget.settings.privacy.privacy_mode,
    });
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(|o| o.to_ascii_lowercase());
    if let Some(origin) = origin.filter(|o| widget.settings.allowed_origins.contains(o)) {
        response.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        response.insert_header((header::VARY, "Origin"));
    }
    Ok(response.json(body))
}

/// The accent colour as a stylesheet, so the iframe needs no inline style.
async fn theme(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let widget = load(&state, path.into_inner()).await?;
    // The colour was validated as #rrggbb when saved; nothing else can reach this CSS.
    let css = format!(":root {{ --accent: {}; }}\n", widget.settings.accent_color);
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(css))
}

#[derive(Template)]
#[template(path = "widget/chat.html")]
struct ChatFrame {
    t: VisitorTr,
    public_id: String,
    name: String,
    /// Shown before anything else; its hash goes back with the visitor's consent.
    notice: Notice,
    privacy: PrivacySettings,
}

async fn frame(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let widget = load(&state, path.into_inner()).await?;
    let lang = visitor_lang(&req, &widget);
    let t = VisitorTr::new(lang);
    let id = widget.id;
    let notice = state
        .blocking(move |conn, _| notice::current(conn, id, lang))
        .await?;
    let ancestors = widget.settings.allowed_origins.join(" ");
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; \
         media-src 'self'; form-action 'none'; frame-ancestors 'self' {ancestors}; object-src 'none'; base-uri 'none'"
    );
    let view = ChatFrame {
        t,
        public_id: widget.public_id,
        name: widget.settings.name,
        notice,
        privacy: widget.settings.privacy,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(view.render()?))
}
