//! Message throughput and visitor→operator latency against a running plauder.

use crate::net;
use crate::percentile;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BENCH_ORIGIN: &str = "http://127.0.0.1:9";

#[derive(clap::Args)]
pub struct ChatArgs {
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub server: SocketAddr,
    #[arg(long)]
    pub cert: String,
    #[arg(long)]
    pub widget: String,
    #[arg(long, default_value = "bench")]
    pub user: String,
    #[arg(long)]
    pub password: String,
    /// Visitor sockets (each sends at most 9 messages/s: the server allows 10 frames/s).
    #[arg(long, default_value_t = 200)]
    pub visitors: usize,
    /// Total messages per second offered.
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Seconds before measuring: conversations start and the operators open them.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// Operator sockets (one staff session); each opens its share of the conversations,
    /// all of them receive the queue.
    #[arg(long, default_value_t = 1)]
    pub operators: usize,
}

/// Creates the benchmark widget and operator directly in the data directory.
pub fn setup(data_dir: &str) -> Result<(), String> {
    let url = format!("sqlite://{data_dir}/plauder.db");
    let ring = plauder::crypto::KeyRing::load(&std::path::Path::new(data_dir).join("keyring.toml"))
        .map_err(|e| e.to_string())?;
    let db = plauder::db::Db::open(&url).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let form = plauder::widget::settings::WidgetForm {
        name: "Benchmark".into(),
        allowed_origins: BENCH_ORIGIN.into(),
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        ..Default::default()
    };
    let settings = form.validate().map_err(|e| format!("{e:?}"))?;
    let now = chrono::Utc::now().naive_utc();
    let widget =
        plauder::db::widgets::insert(&mut conn, &settings, now).map_err(|e| e.to_string())?;
    let password = plauder::auth::password::generate().map_err(|e| e.to_string())?;
    let hash = plauder::auth::password::hash(&password).map_err(|e| e.to_string())?;
    let new = plauder::db::staff::NewStaff {
        username: "bench",
        email: None,
        role: plauder::db::staff::Role::Operator,
        password_hash: &hash,
    };
    plauder::db::staff::insert(&mut conn, &ring, &new, now).map_err(|e| e.to_string())?;
    println!("WIDGET={}\nPASSWORD={password}", widget.public_id);
    Ok(())
}

fn micros(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)
}

pub fn run(args: &ChatArgs) -> Result<(), String> {
    let config = net::tls_config(&args.cert)?;
    let start = Instant::now();
    let cookie = net::login(args.server, &config, &args.user, &args.password)?;
    let origin = format!("https://localhost:{}", args.server.port());
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let operators = args.operators.max(1);
    for index in 0..operators {
        let op_stream = net::tls(args.server, None, &config)?;
        let mut operator = net::websocket(
            op_stream,
            args.server.port(),
            "/console/ws",
            &origin,
            Some(&cookie),
        )?;
        let share = Share { index, operators };
        let (latencies, measuring, stop) = (latencies.clone(), measuring.clone(), stop.clone());
        std::thread::spawn(move || {
            operator_loop(&mut operator, share, start, &latencies, &measuring, &stop)
        });
    }
    let acks = Arc::new(AtomicU64::new(0));
    let per_visitor = (args.rate as f64 / args.visitors as f64).min(9.0);
    let mut threads = Vec::new();
    for i in 0..args.visitors {
        let (config, acks, measuring, stop) = (
            config.clone(),
            acks.clone(),
            measuring.clone(),
            stop.clone(),
        );
        let (server, widget) = (args.server, args.widget.clone());
        threads.push(std::thread::spawn(move || {
            if let Err(e) = visitor_loop(
                server,
                &config,
                &widget,
                i,
                per_visitor,
                start,
                &acks,
                &measuring,
                &stop,
            ) {
                eprintln!("visitor {i}: {e}");
            }
        }));
    }
    // Warm-up: every visitor's conversation exists and the operator has opened it.
    std::thread::sleep(Duration::from_secs(args.warmup));
    let acks_before = acks.load(Ordering::Relaxed);
    measuring.store(true, Ordering::Relaxed);
    let measured = Instant::now();
    std::thread::sleep(Duration::from_secs(args.seconds));
    let acked = acks.load(Ordering::Relaxed) - acks_before;
    let elapsed = measured.elapsed().as_secs_f64();
    measuring.store(false, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let mut lat = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    lat.sort_by(|a, b| a.total_cmp(b));
    println!(
        "chat: offered {} msg/s over {} visitors and {operators} operators; stored {:.0} msg/s; visitor->operator latency p50 {:.2} ms p99 {:.2} ms ({} samples)",
        args.rate,
        args.visitors,
        acked as f64 / elapsed,
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        lat.len()
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn visitor_loop(
    server: SocketAddr,
    config: &Arc<rustls::ClientConfig>,
    widget: &str,
    index: usize,
    rate: f64,
    start: Instant,
    acks: &AtomicU64,
    measuring: &AtomicBool,
    stop: &AtomicBool,
) -> Result<(), String> {
    // 16 sockets per source address, below the server's 20 per address.
    let stream = net::tls(server, Some(net::source(index / 16)), config)?;
    let mut ws = net::websocket(
        stream,
        server.port(),
        &format!("/widget/ws?w={widget}"),
        BENCH_ORIGIN,
        None,
    )?;
    send(&mut ws, json!({"v": 1, "type": "hello"}))?;
    read_until(&mut ws, "welcome")?;
    // A conversation starts only after the visitor accepted the (default) privacy notice.
    let notice =
        plauder::widget::notice::Notice::default_for(plauder::widget::lang::VisitorLang::De);
    send(
        &mut ws,
        json!({"v": 1, "type": "consent", "notice": notice.hash, "lang": "de"}),
    )?;
    read_until(&mut ws, "consented")?;
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.1));
    let mut next = Instant::now() + Duration::from_millis((index as u64 * 7) % 1000);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        next += interval;
        n += 1;
        let text = format!(
            "t={} {}",
            micros(start),
            if measuring.load(Ordering::Relaxed) {
                "m"
            } else {
                "w"
            }
        );
        send(
            &mut ws,
            json!({"v": 1, "type": "message", "id": format!("v{index}-{n}"), "text": text}),
        )?;
        read_until(&mut ws, "ack")?;
        acks.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

fn send(ws: &mut net::Ws, value: Value) -> Result<(), String> {
    ws.send(tungstenite::Message::text(value.to_string()))
        .map_err(|e| e.to_string())
}

fn read_until(ws: &mut net::Ws, kind: &str) -> Result<Value, String> {
    loop {
        if let tungstenite::Message::Text(t) = ws.read().map_err(|e| e.to_string())? {
            let v: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
            if v["type"] == kind {
                return Ok(v);
            }
            if v["type"] == "error" {
                return Err(format!("server error: {}", v["code"]));
            }
        }
    }
}

/// Which conversations one operator socket opens: those whose id hashes to its index.
#[derive(Clone, Copy)]
struct Share {
    index: usize,
    operators: usize,
}

impl Share {
    fn owns(self, id: &str) -> bool {
        let hash = id
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        hash % self.operators == self.index
    }
}

/// Whether a queue entry changed in the last hour: the load's own conversations do, and
/// conversations a seeded database holds (`plauder-load seed`) are older, so operators do
/// not spend the run opening those.
fn is_recent(entry: &Value) -> bool {
    entry["updated_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| chrono::Utc::now().signed_duration_since(t) < chrono::Duration::hours(1))
}

fn operator_loop(
    ws: &mut net::Ws,
    share: Share,
    start: Instant,
    latencies: &Mutex<Vec<f64>>,
    measuring: &AtomicBool,
    stop: &AtomicBool,
) {
    let mut opened = std::collections::HashSet::new();
    let mut pending: std::collections::VecDeque<String> = Default::default();
    let mut last_open = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        // The console allows 20 frames/s: open conversations at a pace below that.
        if last_open.elapsed() > Duration::from_millis(70) {
            if let Some(id) = pending.pop_front() {
                let _ = ws.send(tungstenite::Message::text(
                    json!({"type": "open", "conversation": id}).to_string(),
                ));
                last_open = Instant::now();
            }
        }
        let Ok(tungstenite::Message::Text(t)) = ws.read() else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&t) else {
            continue;
        };
        match v["type"].as_str() {
            Some("queue" | "queue_changed") => {
                for c in v["conversations"].as_array().into_iter().flatten() {
                    let id = c["id"].as_str().unwrap_or("").to_string();
                    if share.owns(&id) && is_recent(c) && opened.insert(id.clone()) {
                        pending.push_back(id);
                    }
                }
            }
            Some("message") if measuring.load(Ordering::Relaxed) => {
                let text = v["line"]["text"].as_str().unwrap_or("");
                let sent = text
                    .strip_prefix("t=")
                    .and_then(|r| r.split(' ').next())
                    .and_then(|n| n.parse::<u64>().ok());
                if let (Some(sent), true) = (sent, text.ends_with(" m")) {
                    let ms = micros(start).saturating_sub(sent) as f64 / 1000.0;
                    if let Ok(mut l) = latencies.lock() {
                        l.push(ms);
                    }
                }
            }
            _ => {}
        }
    }
}
