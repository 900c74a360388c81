//! plauder-load: load and benchmark tool. Drives a running plauder with visitor and
//! operator websockets and measures the baselines the figures are compared with.
//! See BENCHMARKS.md and scripts/bench.sh.

mod audit;
mod baseline;
mod chat;
mod dsr;
mod dsr_sql;
mod http;
mod idle;
mod net;
mod seed;
mod seed_data;
mod seed_rows;
mod seed_setup;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "plauder-load", about = "Load and benchmark tool for plauder")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a widget and an operator account in a data directory (before `serve`).
    Setup {
        #[arg(long)]
        data_dir: String,
    },
    /// Visitors send messages at a rate; an operator receives them. Prints stored msg/s and latency.
    Chat(chat::ChatArgs),
    /// Hold N idle sockets (spread over worker processes and source addresses); print RSS per socket.
    Idle(idle::IdleArgs),
    /// (internal) One worker process of `idle`.
    IdleWorker(idle::WorkerArgs),
    /// Baseline: a bare actix-ws + rustls echo server.
    EchoServer(baseline::EchoArgs),
    /// Baseline: websocket round trips against the echo server.
    EchoRtt(baseline::RttArgs),
    /// Baseline: raw SQLite inserts, one row per transaction, plauder's pragmas.
    SqliteBaseline(baseline::SqliteArgs),
    /// Audit entries per second on a database, from several threads; checks the chain.
    AuditAppends(audit::AuditArgs),
    /// Fill a database with contacts and conversations for the data-subject request figures.
    Seed(seed::SeedArgs),
    /// Pages requested one at a time over a signed-in session; p50/p95 per round.
    TimedGet(dsr::GetArgs),
    /// One download (an export): throughput, CSV records, the server's peak RSS growth.
    Download(dsr::DownloadArgs),
    /// Erases a contact through the console; prints the time of the POST.
    Erase(dsr::EraseArgs),
    /// The search's SQL alone (db::search::ids) and a plain indexed lookup, p50/p95.
    SearchSql(dsr_sql::SqlArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Setup { data_dir } => chat::setup(&data_dir),
        Command::Chat(a) => chat::run(&a),
        Command::Idle(a) => idle::run(&a),
        Command::IdleWorker(a) => idle::worker(&a),
        Command::EchoServer(a) => baseline::echo_server(&a),
        Command::EchoRtt(a) => baseline::echo_rtt(&a),
        Command::SqliteBaseline(a) => baseline::sqlite(&a),
        Command::AuditAppends(a) => audit::run(&a),
        Command::Seed(a) => seed::run(&a),
        Command::TimedGet(a) => dsr::timed_get(&a),
        Command::Download(a) => dsr::download(&a),
        Command::Erase(a) => dsr::erase(&a),
        Command::SearchSql(a) => dsr_sql::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plauder-load: {e}");
            ExitCode::FAILURE
        }
    }
}

/// p-th percentile (0–100) of sorted samples, in milliseconds.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
