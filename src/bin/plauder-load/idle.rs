//! Idle sockets: many visitors that said hello and then wait, spread over worker processes
//! (a process may hold at most 20,000 open files here) and 127.1.x.y source addresses.

use crate::net;
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Instant;

const PER_WORKER: usize = 9000;

#[derive(clap::Args)]
pub struct IdleArgs {
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub server: SocketAddr,
    #[arg(long)]
    pub cert: String,
    /// Widget id (plauder) or empty for the echo baseline.
    #[arg(long, default_value = "")]
    pub widget: String,
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// PID of the server process, for its RSS.
    #[arg(long)]
    pub pid: u32,
    #[arg(long, default_value = "plauder")]
    pub label: String,
}

#[derive(clap::Args, Clone)]
pub struct WorkerArgs {
    #[arg(long)]
    pub server: SocketAddr,
    #[arg(long)]
    pub cert: String,
    #[arg(long, default_value = "")]
    pub widget: String,
    #[arg(long)]
    pub count: usize,
    /// First source address number (each address carries 16 sockets).
    #[arg(long)]
    pub first_source: usize,
}

pub fn rss_kb(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("server pid {pid}: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS".to_string())
}

pub fn run(args: &IdleArgs) -> Result<(), String> {
    let before = rss_kb(args.pid)?;
    let started = Instant::now();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut workers = Vec::new();
    let mut left = args.connections;
    let mut first_source = 0;
    while left > 0 {
        let count = left.min(PER_WORKER);
        let command = format!(
            "ulimit -n $(ulimit -Hn); exec {} idle-worker --server {} --cert {} --widget '{}' --count {count} --first-source {first_source}",
            exe.display(),
            args.server,
            args.cert,
            args.widget
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        workers.push(child);
        left -= count;
        first_source += count.div_ceil(16);
    }
    let mut held = 0;
    for w in &mut workers {
        let out = w.stdout.take().ok_or("no worker output")?;
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        held += line
            .trim()
            .strip_prefix("ready ")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| format!("worker said: {line}"))?;
    }
    let connect_secs = started.elapsed().as_secs_f64();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let after = rss_kb(args.pid)?;
    let per = (after.saturating_sub(before)) as f64 * 1024.0 / held as f64;
    println!(
        "idle[{}]: {held} sockets held; server RSS {} MB -> {} MB; {:.1} KB per idle socket; connect rate {:.0}/s",
        args.label,
        before / 1024,
        after / 1024,
        per / 1024.0,
        held as f64 / connect_secs
    );
    for mut w in workers {
        drop(w.stdin.take());
        let _ = w.wait();
    }
    Ok(())
}

/// Opens `count` sockets (4 threads), reports "ready N", holds them until stdin closes.
pub fn worker(args: &WorkerArgs) -> Result<(), String> {
    let config = net::tls_config(&args.cert)?;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (args, config) = (args.clone(), config.clone());
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for i in (t..args.count).step_by(4) {
                    match open_one(&args, &config, i) {
                        Ok(ws) => held.push(ws),
                        Err(e) => eprintln!("socket {i}: {e}"),
                    }
                }
                held
            })
        })
        .collect();
    let mut sockets = Vec::new();
    for t in threads {
        sockets.extend(t.join().map_err(|_| "worker thread panicked")?);
    }
    println!("ready {}", sockets.len());
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    drop(sockets);
    Ok(())
}

fn open_one(
    args: &WorkerArgs,
    config: &std::sync::Arc<rustls::ClientConfig>,
    i: usize,
) -> Result<net::Ws, String> {
    let stream = net::tls(
        args.server,
        Some(net::source(args.first_source + i / 16)),
        config,
    )?;
    let port = args.server.port();
    let mut ws = if args.widget.is_empty() {
        net::websocket(stream, port, "/", "https://localhost", None)?
    } else {
        net::websocket(
            stream,
            port,
            &format!("/widget/ws?w={}", args.widget),
            crate::chat::BENCH_ORIGIN,
            None,
        )?
    };
    // One exchange, as a visitor does: hello/welcome (or one echo).
    let hello = json!({"v": 1, "type": "hello"}).to_string();
    ws.send(tungstenite::Message::text(hello))
        .map_err(|e| e.to_string())?;
    ws.read().map_err(|e| e.to_string())?;
    Ok(ws)
}
