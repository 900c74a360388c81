//! Runs the HTTPS server (and the optional redirecting plain-HTTP listener).

use crate::app;
use crate::state::AppState;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use std::net::SocketAddr;

/// A started server: where it listens and how to stop it.
pub struct Running {
    pub addrs: Vec<SocketAddr>,
    pub redirect_addr: Option<SocketAddr>,
    /// The plain-HTTP Prometheus listener, when `metrics_listen` is set.
    pub metrics_addr: Option<SocketAddr>,
    pub handle: ServerHandle,
    redirect: Option<ServerHandle>,
    metrics: Option<ServerHandle>,
}

impl Running {
    pub async fn stop(&self) {
        self.handle.stop(true).await;
        for extra in [&self.redirect, &self.metrics].into_iter().flatten() {
            extra.stop(true).await;
        }
    }
}

/// Binds all listeners; the returned servers must be awaited to serve.
pub fn start(state: AppState, workers: usize) -> std::io::Result<(Running, Vec<Server>)> {
    let tls = state
        .certs
        .server_config()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let data = web::Data::new(state.clone());
    // The erasure journal's file copy beside the database (helper BACKUP).
    crate::backup::journal_file::follow(&state);
    let mut server = HttpServer::new(move || app::build(data.clone()))
        .workers(workers)
        .on_connect(tune_connection)
        .shutdown_timeout(5);
    for addr in &state.config.general.listen {
        server = server.bind_rustls_0_23(addr.as_str(), tls.clone())?;
    }
    let addrs = server.addrs();
    let https = server.run();
    let handle = https.handle();
    let mut servers = vec![https];
    let (mut redirect_addr, mut redirect) = (None, None);
    let plain = &state.config.general.http_redirect_listen;
    if !plain.is_empty() {
        let target = state.config.public_url();
        let plain_server = HttpServer::new(move || {
            let target = target.clone();
            actix_web::App::new().default_service(web::to(move |req: HttpRequest| {
                redirect_to(target.clone(), req)
            }))
        })
        .workers(1)
        .bind(plain.as_str())?;
        redirect_addr = plain_server.addrs().first().copied();
        let running = plain_server.run();
        redirect = Some(running.handle());
        servers.push(running);
    }
    let (mut metrics_addr, mut metrics) = (None, None);
    let metrics_listen = &state.config.general.metrics_listen;
    if !metrics_listen.is_empty() {
        let (addr, running) = crate::metrics::start_endpoint(state.clone(), metrics_listen)?;
        metrics_addr = Some(addr);
        metrics = Some(running.handle());
        servers.push(running);
    }
    Ok((
        Running {
            addrs,
            redirect_addr,
            metrics_addr,
            handle,
            redirect,
            metrics,
        },
        servers,
    ))
}

/// How long sent data may stay unacknowledged before the kernel drops the connection.
/// actix has no write timeout: a peer that stops reading (or vanished without a FIN)
/// would otherwise hold its connection and its unsent bytes until keep-alive notices.
const UNACKED_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Small frames (acks, typing, chat lines) must leave at once: without TCP_NODELAY the
/// second small write waits for the peer's delayed ACK (~40 ms).
fn tune_connection(connection: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    if let Some(tls) = connection.downcast_ref::<Tls>() {
        let tcp = &tls.get_ref().0;
        let _ = tcp.set_nodelay(true);
        let _ = socket2::SockRef::from(tcp).set_tcp_user_timeout(Some(UNACKED_LIMIT));
    }
}

async fn redirect_to(target: String, req: HttpRequest) -> HttpResponse {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", format!("{target}{path}")))
        .finish()
}
