//! A small WebDriver client for Debian's chromedriver + chromium (headless), over plain
//! HTTP on 127.0.0.1. Enough for clicking, typing, frames, shadow roots and screenshots.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW: &str = "shadow-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    port: u16,
    child: Child,
    /// Browser tests run one at a time: several Chromiums at once on a 2-core machine,
    /// beside the rest of the suite, made page loads miss their timeouts.
    _turn: std::sync::MutexGuard<'static, ()>,
}

static BROWSER_TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Driver {
    pub fn start() -> Self {
        let turn = BROWSER_TURN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("chromedriver missing ({e}): scripts/test.sh installs chromium-driver")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            port,
            child,
            _turn: turn,
        }
    }

    /// A new headless browser with its own empty profile.
    pub fn browser(&self, width: u32, height: u32, profile: &std::path::Path) -> Browser {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--ignore-certificate-errors",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--window-size={width},{height}"));
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "acceptInsecureCerts": true,
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args, "prefs": {"intl.accept_languages": "de"}}
        }}});
        // Headless windows are at least 500 px wide: phones need device emulation.
        if width < 500 {
            caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"]["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1}});
        }
        let created = call(self.port, "POST", "/session", Some(caps));
        let session = created["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Browser {
            port: self.port,
            session,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        tcp,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let payload = read_response(&mut tcp);
    let value: Value =
        serde_json::from_str(&payload).unwrap_or_else(|_| panic!("webdriver said: {payload:.300}"));
    if value["value"].get("error").is_some() {
        panic!("webdriver {method} {path}: {}", value["value"]["message"]);
    }
    value["value"].clone()
}

/// Reads one response by its Content-Length (chromedriver may keep the connection open).
fn read_response(tcp: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(
            tcp.read(&mut byte).unwrap(),
            1,
            "webdriver closed the connection"
        );
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            tcp.read_exact(&mut body).unwrap();
        }
        None => {
            tcp.read_to_end(&mut body).unwrap();
        }
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    if head.contains("transfer-encoding: chunked") {
        dechunk(&text)
    } else {
        text
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

#[derive(Clone)]
pub struct Element(Value);

pub struct Browser {
    port: u16,
    session: String,
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    pub fn find(&self, css: &str) -> Element {
        Element(self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        ))
    }

    fn id(e: &Element) -> String {
        e.0[ELEMENT].as_str().unwrap().to_string()
    }

    /// An element inside the open shadow root of `host`.
    pub fn find_in_shadow(&self, host: &str, css: &str) -> Element {
        let root = self.call(
            "GET",
            &format!("/element/{}/shadow", Self::id(&self.find(host))),
            None,
        );
        let root = root[SHADOW].as_str().unwrap().to_string();
        Element(self.call(
            "POST",
            &format!("/shadow/{root}/element"),
            Some(json!({"using": "css selector", "value": css})),
        ))
    }

    pub fn click(&self, e: &Element) {
        self.call(
            "POST",
            &format!("/element/{}/click", Self::id(e)),
            Some(json!({})),
        );
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", Self::id(e)),
            Some(json!({"text": text})),
        );
    }

    pub fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// A Chrome DevTools command through chromedriver, e.g. `Page.addScriptToEvaluateOnNewDocument`
    /// to watch what a page does before any of its own scripts run.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
    }

    pub fn enter_frame(&self, e: &Element) {
        self.call("POST", "/frame", Some(json!({"id": e.0})));
    }

    pub fn leave_frames(&self) {
        self.call("POST", "/frame", Some(json!({"id": null})));
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine as _;
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Signs in on the login page of `base` (e.g. `https://localhost:PORT`) and waits until
    /// the page after it shows.
    pub fn sign_in(&self, base: &str, user: &str, password: &str) {
        self.goto(&format!("{base}/login"));
        self.type_into(&self.find("#username"), user);
        self.type_into(&self.find("#password"), password);
        self.click(&self.find("button.primary"));
        self.wait_for(
            "the page after signing in",
            "return location.pathname !== '/login'",
        );
    }

    /// How many pixels the page is wider than the window (0: it never scrolls sideways).
    pub fn overflow_x(&self) -> i64 {
        self.js(
            "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)",
            vec![],
        )
        .as_i64()
        .unwrap()
    }

    /// Saves a screenshot as `target/browser-artifacts/NAME.png` and returns its path.
    pub fn shot(&self, name: &str) -> std::path::PathBuf {
        let path = artifacts().join(format!("{name}.png"));
        self.screenshot(&path);
        path
    }

    /// Polls a JavaScript condition until it holds.
    pub fn wait_for(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.js(script, vec![]).as_bool() == Some(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("timed out waiting for {what}");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| {
            call(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            )
        });
    }
}

/// Where browser tests leave their screenshots: `target/browser-artifacts/`.
pub fn artifacts() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
