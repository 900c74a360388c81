//! The operator console websocket: upgrade with session, permission and same-origin checks.

use super::live_access::SocketAccess;
use super::live_socket::OperatorSocket;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/console/ws",
        Rule::Staff(Permission::Edit(Area::Conversations)),
        console_ws,
    );
}

/// Cross-site websocket hijacking guard: only pages of this server may connect.
fn same_origin(req: &HttpRequest) -> bool {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    let host = req.connection_info().host().to_ascii_lowercase();
    origin.is_some_and(|o| {
        o.trim_end_matches('/')
            .eq_ignore_ascii_case(&format!("https://{host}"))
    })
}

async fn console_ws(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Conversations),
        Object::None,
    )?;
    if !same_origin(&req) {
        return Err(AppError::Forbidden(
            "the console socket only accepts this server's own pages".into(),
        ));
    }
    let (response, ws, stream) = actix_ws::handle(&req, body)
        .map_err(|e| AppError::BadRequest(format!("websocket upgrade: {e}")))?;
    let me = session.actor.staff;
    let access = state
        .blocking(move |conn, _| SocketAccess::load(conn, me))
        .await?
        .ok_or(AppError::LoginRequired)?;
    let socket = OperatorSocket::new(state.get_ref().clone(), session, ws, access);
    actix_web::rt::spawn(socket.run(stream.max_frame_size(16 * 1024)));
    Ok(response)
}
