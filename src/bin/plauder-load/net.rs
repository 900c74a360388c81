//! Client side of the load tool: TLS from a chosen 127.x source address, websockets, login.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use socket2::{Domain, Socket, Type};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use tungstenite::WebSocket;
use tungstenite::client::IntoClientRequest;

pub type Tls = StreamOwned<ClientConnection, TcpStream>;
pub type Ws = WebSocket<Tls>;

pub fn tls_config(cert_path: &str) -> Result<Arc<ClientConfig>, String> {
    let cert = CertificateDer::from_pem_file(cert_path).map_err(|e| format!("{cert_path}: {e}"))?;
    let mut roots = RootCertStore::empty();
    roots.add(cert).map_err(|e| e.to_string())?;
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Source address number `n`: 127.1.x.y, so per-address limits of the server are respected.
pub fn source(n: usize) -> Ipv4Addr {
    let n = u32::try_from(n).unwrap_or(0);
    Ipv4Addr::new(
        127,
        1,
        u8::try_from(n / 250).unwrap_or(255),
        u8::try_from(n % 250 + 1).unwrap_or(1),
    )
}

pub fn tcp(server: SocketAddr, from: Option<Ipv4Addr>) -> std::io::Result<TcpStream> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    if let Some(ip) = from {
        socket.bind(&SocketAddrV4::new(ip, 0).into())?;
    }
    socket.connect(&server.into())?;
    let stream: TcpStream = socket.into();
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    Ok(stream)
}

pub fn tls(
    server: SocketAddr,
    from: Option<Ipv4Addr>,
    config: &Arc<ClientConfig>,
) -> Result<Tls, String> {
    let stream = tcp(server, from).map_err(|e| format!("connect: {e}"))?;
    let name = ServerName::try_from("localhost")
        .map_err(|e| e.to_string())?
        .to_owned();
    let conn = ClientConnection::new(config.clone(), name).map_err(|e| e.to_string())?;
    Ok(StreamOwned::new(conn, stream))
}

pub fn websocket(
    stream: Tls,
    port: u16,
    path: &str,
    origin: &str,
    cookie: Option<&str>,
) -> Result<Ws, String> {
    let mut request = format!("wss://localhost:{port}{path}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert("Origin", origin.parse().map_err(|_| "bad origin")?);
    if let Some(c) = cookie {
        headers.insert("Cookie", c.parse().map_err(|_| "bad cookie")?);
    }
    tungstenite::client::client(request, stream)
        .map(|(ws, _)| ws)
        .map_err(|e| format!("websocket: {e}"))
}

/// Signs in through the login form; returns the `Cookie` header value of the session.
pub fn login(
    server: SocketAddr,
    config: &Arc<ClientConfig>,
    user: &str,
    password: &str,
) -> Result<String, String> {
    let (_, page, pre) = request(server, config, "GET /login", "", None)?;
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).ok_or("no csrf field")? + marker.len();
    let csrf = &page[start..start + 43];
    let body = format!("username={user}&password={}&csrf={csrf}", encode(password));
    let (head, _, session) = request(server, config, "POST /login", &body, pre.as_deref())?;
    if !head.starts_with("HTTP/1.1 303") {
        return Err(format!(
            "login failed: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    session.ok_or_else(|| "no session cookie".to_string())
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

type Answer = (String, String, Option<String>);

fn request(
    server: SocketAddr,
    config: &Arc<ClientConfig>,
    line: &str,
    body: &str,
    cookie: Option<&str>,
) -> Result<Answer, String> {
    let mut stream = tls(server, None, config)?;
    let mut head = format!(
        "{line} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: {c}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body.as_bytes()))
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, page) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let cookie = head
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .map(|c| c.split(';').next().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("; ");
    Ok((
        head.to_string(),
        page.to_string(),
        Some(cookie).filter(|c| !c.is_empty()),
    ))
}
