//! The websocket upgrade for visitors: widget lookup, Origin check, per-address limit.

use super::capture::Captured;
use super::socket::VisitorSocket;
use crate::db::widgets::{self, Widget};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/widget/ws", Rule::Public, visitor_ws);
}

#[derive(Deserialize)]
struct WsQuery {
    w: String,
}

/// The iframe (plauder's own origin) or one of the widget's embedding sites may connect.
fn origin_allowed(req: &HttpRequest, state: &AppState, widget: &Widget) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return false;
    };
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    let own_host = req.connection_info().host().to_ascii_lowercase();
    origin == format!("https://{own_host}")
        || origin == state.config.public_url().to_ascii_lowercase()
        || widget.settings.allowed_origins.contains(&origin)
}

async fn visitor_ws(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    query: web::Query<WsQuery>,
) -> Result<HttpResponse, AppError> {
    let public_id = query.into_inner().w;
    if public_id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let widget = state
        .blocking(move |conn, _| widgets::by_public_id(conn, &public_id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !origin_allowed(&req, &state, &widget) {
        return Err(AppError::Forbidden(
            "this origin may not open the chat of this widget".into(),
        ));
    }
    let client = crate::http::client::client_addr(&req, &state.trusted_proxies);
    let guard = state
        .limits
        .acquire(client)
        .ok_or_else(|| AppError::TooMany("too many open chats from this address".into()))?;
    let (response, session, stream) = crate::http::ws::handle(&req, body)
        .map_err(|e| AppError::BadRequest(format!("websocket upgrade: {e}")))?;
    let stream = stream.max_frame_size(super::protocol::MAX_FRAME_BYTES);
    // Privacy mode: the address and browser are not even kept in memory for the socket.
    let captured = (!widget.settings.privacy.privacy_mode).then(|| {
        let ua = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        Captured::new(client, ua, super::capture::country(&state, client))
    });
    let socket = VisitorSocket::new(state.get_ref().clone(), widget, session, guard, captured);
    actix_web::rt::spawn(socket.run(stream));
    Ok(response)
}
