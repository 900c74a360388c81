//! Baselines measured in the same run: a bare actix-ws + rustls echo server (same stack and
//! TLS settings as plauder), websocket round trips to it, and raw SQLite inserts.

use crate::net;
use crate::percentile;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use diesel::connection::SimpleConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct EchoArgs {
    #[arg(long, default_value = "127.0.0.1:9443")]
    pub listen: String,
    #[arg(long)]
    pub cert: String,
    #[arg(long)]
    pub key: String,
}

async fn echo(req: HttpRequest, body: web::Payload) -> Result<HttpResponse, actix_web::Error> {
    let (response, mut session, mut stream) = actix_ws::handle(&req, body)?;
    actix_web::rt::spawn(async move {
        while let Some(Ok(msg)) = stream.recv().await {
            if let actix_ws::Message::Text(t) = msg {
                if session.text(t).await.is_err() {
                    break;
                }
            }
        }
    });
    Ok(response)
}

/// The same TCP_NODELAY setting as plauder, so the baseline is comparable.
fn no_delay(connection: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    if let Some(tls) = connection.downcast_ref::<Tls>() {
        let _ = tls.get_ref().0.set_nodelay(true);
    }
}

pub fn echo_server(args: &EchoArgs) -> Result<(), String> {
    let store = Arc::new(
        plauder::tls::CertStore::load(
            args.cert.as_ref(),
            args.key.as_ref(),
            plauder::config::TlsProfile::Bsi,
        )
        .map_err(|e| e.to_string())?,
    );
    let tls = store.server_config().map_err(|e| e.to_string())?;
    let listen = args.listen.clone();
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(|| App::new().default_service(web::to(echo)))
            .workers(2)
            .on_connect(no_delay)
            .bind_rustls_0_23(listen.as_str(), tls)
            .map_err(|e| e.to_string())?;
        println!("echo server on {listen}");
        server.run().await.map_err(|e| e.to_string())
    })
}

#[derive(clap::Args)]
pub struct RttArgs {
    #[arg(long, default_value = "127.0.0.1:9443")]
    pub server: SocketAddr,
    #[arg(long)]
    pub cert: String,
    #[arg(long, default_value_t = 2000)]
    pub count: usize,
}

pub fn echo_rtt(args: &RttArgs) -> Result<(), String> {
    let config = net::tls_config(&args.cert)?;
    let stream = net::tls(args.server, None, &config)?;
    let mut ws = net::websocket(stream, args.server.port(), "/", "https://localhost", None)?;
    let mut samples = Vec::with_capacity(args.count);
    for i in 0..args.count {
        let started = Instant::now();
        ws.send(tungstenite::Message::text(format!("{{\"n\":{i}}}")))
            .map_err(|e| e.to_string())?;
        ws.read().map_err(|e| e.to_string())?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    println!(
        "echo: websocket round trip p50 {:.3} ms p99 {:.3} ms ({} samples)",
        percentile(&samples, 50.0),
        percentile(&samples, 99.0),
        samples.len()
    );
    Ok(())
}

#[derive(clap::Args)]
pub struct SqliteArgs {
    #[arg(long)]
    pub path: String,
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
}

/// One row per transaction with the pragmas plauder uses (WAL, synchronous=FULL, secure_delete).
pub fn sqlite(args: &SqliteArgs) -> Result<(), String> {
    let db =
        plauder::db::Db::open(&format!("sqlite://{}", args.path)).map_err(|e| e.to_string())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    conn.batch_execute(
        "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, body BLOB NOT NULL)",
    )
    .map_err(|e| e.to_string())?;
    let body = "x".repeat(120);
    let started = Instant::now();
    let mut rows = 0u64;
    while started.elapsed() < Duration::from_secs(args.seconds) {
        conn.batch_execute(&format!("INSERT INTO bench (body) VALUES ('{body}')"))
            .map_err(|e| e.to_string())?;
        rows += 1;
    }
    println!(
        "sqlite: {:.0} single-row transactions/s (WAL, synchronous=FULL)",
        rows as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}
