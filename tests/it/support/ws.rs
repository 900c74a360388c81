//! A blocking websocket client (tungstenite) over the test TLS stream.

use super::TestServer;
use super::client::{Tls, connect};
use serde_json::{Value, json};
use std::time::Duration;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

/// A socket, and the operator queue as the console would show it (`recv_queue`).
pub struct Ws(pub WebSocket<Tls>, Vec<Value>);

impl From<WebSocket<Tls>> for Ws {
    fn from(socket: WebSocket<Tls>) -> Self {
        Ws(socket, Vec::new())
    }
}

/// Opens a websocket; `Err(status)` when the upgrade is refused.
pub fn open(
    server: &TestServer,
    path: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Result<Ws, u16> {
    open_to(server.addr, server.tls(), path, origin, cookie)
}

pub fn open_to(
    addr: std::net::SocketAddr,
    config: std::sync::Arc<rustls::ClientConfig>,
    path: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> Result<Ws, u16> {
    let tls = connect(addr, config).unwrap();
    let mut request = format!("wss://localhost{path}")
        .into_client_request()
        .unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("Cookie", cookie.parse().unwrap());
    }
    match tungstenite::client::client(request, tls) {
        Ok((socket, _)) => Ok(Ws::from(socket)),
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(r))) => {
            Err(r.status().as_u16())
        }
        Err(e) => panic!("websocket handshake: {e}"),
    }
}

impl Ws {
    pub fn send(&mut self, value: Value) {
        self.0.send(Message::text(value.to_string())).unwrap();
    }

    pub fn send_raw(&mut self, text: &str) {
        self.0.send(Message::text(text.to_string())).unwrap();
    }

    /// The next JSON frame; panics on close or timeout.
    pub fn recv(&mut self) -> Value {
        loop {
            match self.0.read().unwrap() {
                Message::Text(t) => return serde_json::from_str(&t).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next frame of `kind`, skipping others (e.g. presence updates).
    pub fn recv_type(&mut self, kind: &str) -> Value {
        for _ in 0..100 {
            let v = self.recv();
            if v["type"] == kind {
                return v;
            }
        }
        panic!("no {kind} frame");
    }

    /// The operator queue after the next queue frame, as a full "queue" frame: the server
    /// sends the whole list (`queue`) or what changed since (`queue_changed`), and this
    /// merges them the way the console does.
    pub fn recv_queue(&mut self) -> Value {
        for _ in 0..100 {
            let v = self.recv();
            if v["type"] == "queue" {
                self.1 = v["conversations"].as_array().unwrap().clone();
            } else if v["type"] == "queue_changed" {
                let changed = v["conversations"].as_array().unwrap();
                let removed = v["removed"].as_array().unwrap();
                self.1.retain(|e| {
                    !removed.contains(&e["id"]) && !changed.iter().any(|c| c["id"] == e["id"])
                });
                self.1.extend(changed.iter().cloned());
                let at = |e: &Value| e["updated_at"].as_str().unwrap_or("").to_string();
                self.1.sort_by_key(|e| std::cmp::Reverse(at(e)));
            } else {
                continue;
            }
            return json!({"type": "queue", "conversations": self.1});
        }
        panic!("no queue frame");
    }

    /// Frames until the server closes; returns the close code.
    pub fn close_code(&mut self) -> Option<u16> {
        self.close_reason().map(|(code, _)| code)
    }

    /// Frames until the server closes; returns the close code and reason.
    pub fn close_reason(&mut self) -> Option<(u16, String)> {
        loop {
            match self.0.read() {
                Ok(Message::Close(frame)) => {
                    return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                }
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Asserts that nothing arrives for `wait`.
    pub fn silent_for(&mut self, wait: Duration) {
        self.0.get_ref().sock.set_read_timeout(Some(wait)).unwrap();
        match self.0.read() {
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            other => panic!("expected silence, got {other:?}"),
        }
        self.0
            .get_ref()
            .sock
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
    }
}

/// Sends `hello` and returns the `welcome`, nothing more.
pub fn hello_only(ws: &mut Ws, resume: Option<(&str, i64)>) -> Value {
    let mut frame = json!({"v": 1, "type": "hello"});
    if let Some((token, after)) = resume {
        frame["resume"] = json!({"token": token, "after": after});
    }
    ws.send(frame);
    ws.recv_type("welcome")
}

/// The consent frame for the shipped German notice (widgets without their own text).
pub fn default_consent() -> Value {
    let notice =
        plauder::widget::notice::Notice::default_for(plauder::widget::lang::VisitorLang::De);
    json!({"v": 1, "type": "consent", "notice": notice.hash, "lang": "de"})
}

/// `hello` as the widget does it after the visitor accepted the (default) notice: when no
/// conversation was resumed, the consent follows. Returns the `welcome`.
pub fn hello(ws: &mut Ws, resume: Option<(&str, i64)>) -> Value {
    let welcome = hello_only(ws, resume);
    if welcome["resumed"] != true {
        ws.send(default_consent());
        ws.recv_type("consented");
    }
    welcome
}

pub fn say(ws: &mut Ws, id: &str, text: &str) {
    ws.send(json!({"v": 1, "type": "message", "id": id, "text": text}));
}
