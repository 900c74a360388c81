//! The request middleware: counts and times every request under its route pattern, and
//! counts an upgraded websocket as open until its response body (the socket's outgoing side)
//! is dropped, which actix does when the connection ends.

use super::{Metrics, SocketKind};
use crate::state::AppState;
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<SocketBody<impl MessageBody>>, actix_web::Error> {
    let metrics = req.app_data::<Data<AppState>>().map(|s| s.metrics.clone());
    let started = Instant::now();
    let method = method_label(req.method());
    // The pattern the router matched (`/admin/canned/{id}/edit`), never the path itself.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let result = next.call(req).await;
    let Some(metrics) = metrics else {
        return result.map(|r| r.map_body(|_, inner| SocketBody { inner, guard: None }));
    };
    let status = match &result {
        Ok(response) => response.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    metrics.request(method, &route, status.as_u16(), started.elapsed());
    let response = result?;
    let guard = (status == StatusCode::SWITCHING_PROTOCOLS)
        .then(|| SocketGuard::new(metrics, SocketKind::from_route(&route)));
    Ok(response.map_body(|_, inner| SocketBody { inner, guard }))
}

/// Anything beyond the usual methods is one label value, so labels stay a fixed set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts one open websocket for as long as it lives.
pub struct SocketGuard {
    metrics: Arc<Metrics>,
    kind: SocketKind,
}

impl SocketGuard {
    fn new(metrics: Arc<Metrics>, kind: SocketKind) -> Self {
        metrics.socket_opened(kind);
        Self { metrics, kind }
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.metrics.socket_closed(self.kind);
    }
}

pin_project_lite::pin_project! {
    /// The response body, with the open-socket count attached to upgraded connections.
    pub struct SocketBody<B> {
        #[pin]
        inner: B,
        guard: Option<SocketGuard>,
    }
}

impl<B: MessageBody> MessageBody for SocketBody<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.project().inner.poll_next(cx)
    }

    fn try_into_bytes(self) -> Result<Bytes, Self> {
        // Only plain bodies take the shortcut; a socket's body must live on with its guard.
        match self.guard {
            None => self
                .inner
                .try_into_bytes()
                .map_err(|inner| SocketBody { inner, guard: None }),
            guard => Err(SocketBody {
                inner: self.inner,
                guard,
            }),
        }
    }
}
