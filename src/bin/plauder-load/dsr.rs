//! Timed staff requests for the data-subject request figures (scripts/bench-dsr.sh), over
//! HTTPS with a signed-in session: pages one after another (`timed-get`: search and list
//! pages, p50/p95), one export download (`download`: throughput and the server's peak
//! RSS growth), one contact erasure (`erase`).

use crate::http::Client;
use crate::percentile;
use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Session {
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub server: SocketAddr,
    #[arg(long)]
    pub cert: String,
    #[arg(long)]
    pub user: String,
    #[arg(long)]
    pub password: String,
}

impl Session {
    fn client(&self) -> Result<Client, String> {
        Client::login(self.server, &self.cert, &self.user, &self.password)
    }
}

#[derive(clap::Args)]
pub struct GetArgs {
    #[command(flatten)]
    pub session: Session,
    /// A file of paths (one a line), requested in order, one at a time.
    #[arg(long)]
    pub paths: String,
    /// How often the whole list is requested; each round prints its own figures.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    #[arg(long, default_value = "get")]
    pub label: String,
    /// Count a response as a hit when a result row shows its `q` parameter (a searched
    /// address, as "Name <address>"; the search box repeating it does not count).
    #[arg(long)]
    pub expect_query: bool,
    /// Writes the first response's body here (to look at what was measured).
    #[arg(long)]
    pub save_first: Option<String>,
    /// Appends "round path result-rows" lines here, one per request.
    #[arg(long)]
    pub rows_out: Option<String>,
}

/// The decoded `q` parameter of a path.
fn query_text(path: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    let raw = query.split('&').find_map(|kv| kv.strip_prefix("q="))?;
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

pub fn timed_get(args: &GetArgs) -> Result<(), String> {
    let paths: Vec<String> = std::fs::read_to_string(&args.paths)
        .map_err(|e| format!("{}: {e}", args.paths))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let mut client = args.session.client()?;
    let mut log = String::new();
    for round in 1..=args.rounds {
        let mut ms = Vec::with_capacity(paths.len());
        let (mut hits, mut bad, mut rows) = (0usize, 0usize, 0usize);
        for path in &paths {
            let started = Instant::now();
            let head = client.send("GET", path, None)?;
            let body = client.text(&head)?;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
            if let (Some(file), 1) = (&args.save_first, ms.len()) {
                std::fs::write(file, &body).map_err(|e| format!("{file}: {e}"))?;
            }
            if head.status != 200 {
                bad += 1;
            }
            // Table rows of results (the header row left out).
            let found = body.matches("<tr>").count().saturating_sub(1);
            rows += found;
            if let Some(file) = &args.rows_out {
                log.push_str(&format!("{round} {path} {found}\n"));
                if log.len() > 1 << 16 {
                    append(file, &std::mem::take(&mut log))?;
                }
            }
            if args.expect_query
                && query_text(path).is_some_and(|q| {
                    // "<address>" escaped (askama writes `&#60;`/`&#62;`).
                    let (body, q) = (body.to_lowercase(), q.to_lowercase());
                    body.contains(&format!("&#60;{q}&#62;"))
                        || body.contains(&format!("&lt;{q}&gt;"))
                })
            {
                hits += 1;
            }
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
        let hits = if args.expect_query {
            format!("; {hits}/{} showed the searched address", paths.len())
        } else {
            String::new()
        };
        println!(
            "{}[round {round}]: {} requests, p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms mean {:.2} ms max {:.2} ms; {rows} result rows; {bad} not 200{hits}",
            args.label,
            ms.len(),
            percentile(&ms, 50.0),
            percentile(&ms, 95.0),
            percentile(&ms, 99.0),
            mean,
            ms.last().copied().unwrap_or(f64::NAN),
        );
    }
    if let Some(file) = &args.rows_out {
        append(file, &log)?;
    }
    Ok(())
}

fn append(file: &str, text: &str) -> Result<(), String> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{file}: {e}"))
}

#[derive(clap::Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    pub session: Session,
    #[arg(long)]
    pub path: String,
    /// Count the CSV records (conversations) of the body (semicolon-separated, as exported).
    #[arg(long)]
    pub csv: bool,
    /// The server's process id: its peak RSS (VmHWM, reset first) is reported.
    #[arg(long)]
    pub pid: Option<u32>,
    #[arg(long, default_value = "download")]
    pub label: String,
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Counts bytes read through it.
struct Counting<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

pub fn download(args: &DownloadArgs) -> Result<(), String> {
    let mut client = args.session.client()?;
    let before = args.pid.and_then(|p| status_kb(p, "VmRSS:"));
    if let Some(pid) = args.pid {
        // "5" resets the peak (VmHWM) to the current RSS.
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
            .map_err(|e| format!("/proc/{pid}/clear_refs: {e}"))?;
    }
    // VmRSS sampled as well, in case the reset is refused by the kernel.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = args.pid.map(|pid| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(status_kb(pid, "VmRSS:").unwrap_or(0));
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    });
    let started = Instant::now();
    let head = client.send("GET", &args.path, None)?;
    let first_byte = started.elapsed().as_secs_f64();
    if head.status != 200 {
        let text = client.text(&head).unwrap_or_default();
        return Err(format!(
            "{}: status {} {}",
            args.path,
            head.status,
            text.chars().take(300).collect::<String>()
        ));
    }
    let mut body = Counting {
        inner: client.body(&head)?,
        bytes: 0,
    };
    let mut records = 0u64;
    if args.csv {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(true)
            .from_reader(&mut body);
        let mut record = csv::ByteRecord::new();
        while reader
            .read_byte_record(&mut record)
            .map_err(|e| format!("csv: {e}"))?
        {
            records += 1;
        }
    }
    std::io::copy(&mut body, &mut std::io::sink()).map_err(|e| format!("body: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sampled = sampler.and_then(|s| s.join().ok());
    let hwm = args.pid.and_then(|p| status_kb(p, "VmHWM:"));
    let mut line = format!(
        "{}: {:.1} MB in {seconds:.2} s (first byte after {:.3} s)",
        args.label,
        body.bytes as f64 / 1e6,
        first_byte
    );
    if args.csv {
        line.push_str(&format!(
            ", {records} conversations = {:.0} conversations/s",
            records as f64 / seconds
        ));
    }
    if let (Some(before), Some(hwm)) = (before, hwm) {
        let sampled = sampled.unwrap_or(0);
        line.push_str(&format!(
            "; server RSS before {:.1} MB, peak {:.1} MB (VmHWM; sampled VmRSS peak {:.1} MB), growth {:.1} MB",
            before as f64 / 1024.0,
            hwm as f64 / 1024.0,
            sampled as f64 / 1024.0,
            (hwm.max(sampled) as f64 - before as f64) / 1024.0
        ));
    }
    println!("{line}");
    Ok(())
}

#[derive(clap::Args)]
pub struct EraseArgs {
    #[command(flatten)]
    pub session: Session,
    #[arg(long)]
    pub contact: i64,
}

/// Opens the confirmation page (for its CSRF token), then times the erasing POST.
pub fn erase(args: &EraseArgs) -> Result<(), String> {
    let mut client = args.session.client()?;
    let page = format!("/console/contacts/{}/erase", args.contact);
    let head = client.send("GET", &page, None)?;
    let text = client.text(&head)?;
    if head.status != 200 {
        return Err(format!("{page}: status {}", head.status));
    }
    let marker = "name=\"csrf\" value=\"";
    let start = text.find(marker).ok_or("no csrf field on the erase page")? + marker.len();
    let csrf: String = text[start..].chars().take_while(|c| *c != '"').collect();
    let started = Instant::now();
    let head = client.send("POST", &page, Some(&format!("csrf={csrf}")))?;
    let _ = client.text(&head)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if head.status != 303 {
        return Err(format!("erase: status {}", head.status));
    }
    println!("erase: contact {} erased in {ms:.1} ms", args.contact);
    Ok(())
}
