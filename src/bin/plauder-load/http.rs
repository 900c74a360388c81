//! A small HTTP/1.1 client over one kept-alive TLS connection, as a browser tab uses it:
//! requests one after another, bodies by Content-Length or chunked, streamed to a caller's
//! reader so that a large export is never held in memory.

use crate::net;
use rustls::ClientConfig;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

pub struct Client {
    server: SocketAddr,
    config: Arc<ClientConfig>,
    cookie: String,
    conn: Option<BufReader<net::Tls>>,
}

/// Status line and headers of a response (names lower-cased).
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Client {
    /// Signs in (login form, `net::login`) and keeps the session cookie.
    pub fn login(
        server: SocketAddr,
        cert: &str,
        user: &str,
        password: &str,
    ) -> Result<Self, String> {
        let config = net::tls_config(cert)?;
        let cookie = net::login(server, &config, user, password)?;
        Ok(Self {
            server,
            config,
            cookie,
            conn: None,
        })
    }

    fn connection(&mut self) -> Result<&mut BufReader<net::Tls>, String> {
        if self.conn.is_none() {
            let tls = net::tls(self.server, None, &self.config)?;
            self.conn = Some(BufReader::with_capacity(64 * 1024, tls));
        }
        self.conn
            .as_mut()
            .ok_or_else(|| "no connection".to_string())
    }

    /// Sends a request and reads its head; the body is read by `body` or `discard`.
    pub fn send(&mut self, method: &str, path: &str, form: Option<&str>) -> Result<Head, String> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nCookie: {}\r\n",
            self.cookie
        );
        if let Some(body) = form {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        } else {
            request.push_str("\r\n");
        }
        let first = self.try_send(&request);
        match first {
            Ok(head) => Ok(head),
            // The server closed the kept-alive connection meanwhile: once more on a new one.
            Err(_) => {
                self.conn = None;
                self.try_send(&request)
            }
        }
    }

    fn try_send(&mut self, request: &str) -> Result<Head, String> {
        let conn = self.connection()?;
        conn.get_mut()
            .write_all(request.as_bytes())
            .and_then(|_| conn.get_mut().flush())
            .map_err(|e| format!("write: {e}"))?;
        let mut line = String::new();
        conn.read_line(&mut line)
            .map_err(|e| format!("read: {e}"))?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            conn.read_line(&mut line)
                .map_err(|e| format!("read: {e}"))?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        Ok(Head { status, headers })
    }

    /// The body of the response whose head was just read, as a reader.
    pub fn body(&mut self, head: &Head) -> Result<Body<'_>, String> {
        let chunked = head
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let length = head
            .header("content-length")
            .and_then(|v| v.parse::<u64>().ok());
        let conn = self.connection()?;
        Ok(if chunked {
            Body::Chunked {
                conn,
                left: 0,
                done: false,
            }
        } else {
            Body::Length(conn.take(length.unwrap_or(0)))
        })
    }

    /// The whole body as text (pages; never an export).
    pub fn text(&mut self, head: &Head) -> Result<String, String> {
        let mut out = String::new();
        self.body(head)?
            .read_to_string(&mut out)
            .map_err(|e| format!("body: {e}"))?;
        Ok(out)
    }
}

pub enum Body<'a> {
    Length(std::io::Take<&'a mut BufReader<net::Tls>>),
    Chunked {
        conn: &'a mut BufReader<net::Tls>,
        left: u64,
        done: bool,
    },
}

impl Read for Body<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Length(r) => r.read(buf),
            Self::Chunked { conn, left, done } => {
                if *done {
                    return Ok(0);
                }
                if *left == 0 {
                    let mut line = String::new();
                    conn.read_line(&mut line)?;
                    if line.trim().is_empty() {
                        // The CRLF that ends the previous chunk.
                        line.clear();
                        conn.read_line(&mut line)?;
                    }
                    let size = line.trim().split(';').next().unwrap_or("");
                    *left = u64::from_str_radix(size, 16).map_err(|_| {
                        std::io::Error::new(std::io::ErrorKind::InvalidData, "bad chunk size")
                    })?;
                    if *left == 0 {
                        // Trailer section: up to the empty line.
                        loop {
                            line.clear();
                            conn.read_line(&mut line)?;
                            if line.trim().is_empty() {
                                break;
                            }
                        }
                        *done = true;
                        return Ok(0);
                    }
                }
                let want = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                let n = conn.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                *left -= n as u64;
                Ok(n)
            }
        }
    }
}
