//! Mail through the configured relay, against a real local SMTP sink (tests/it/mail/sink.py,
//! Debian python3-aiosmtpd) with STARTTLS on a test certificate and AUTH: the transcript
//! mail (transcript.rs), failures shown and audited (failures.rs), the admin page and its
//! test mail (admin.rs), both in Chromium with screenshots (browser.rs), bad `[mail]` values at start (config.rs), the route × role row
//! (routes.rs).

mod admin;
mod browser;
mod config;
mod failures;
mod routes;
mod transcript;

pub use routes::{ROUTES, mail_by_role};

use crate::support::{Db, TestServer, add_staff};
use plauder::clock::Clock as _;
use plauder::config::{Config, MailSecurity, Secret};
use plauder::db::consents::{self, Given};
use plauder::db::conversations::{self, ConversationId, NewConversation};
use plauder::db::messages::{self, NewMessage, Sender};
use plauder::db::operator_profiles::{self, Avatar, Profile, ShownAs};
use plauder::db::staff::Role;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const USER: &str = "chat";
/// Distinct enough that finding it anywhere in a page or log means it leaked.
pub const PASSWORD: &str = "Relais-Geheimnis-4711";
pub const SENDER: &str = "Kundenservice <chat@example.de>";
pub const CUSTOMER: &str = "erika@example.org";

/// How the sink behaves (see sink.py).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    StartTls,
    Plain,
    Reject,
}

/// A running sink; stopped (its own child process) on drop.
pub struct Sink {
    pub port: u16,
    pub dir: PathBuf,
    pub ca: PathBuf,
    child: Child,
    _tmp: tempfile::TempDir,
}

/// Debian's python3 has python3-aiosmtpd; a developer's pyenv `python3` may not.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl Sink {
    pub fn start(mode: Mode) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let key = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let ca = tmp.path().join("relay-cert.pem");
        let key_file = tmp.path().join("relay-key.pem");
        std::fs::write(&ca, key.cert.pem()).unwrap();
        std::fs::write(&key_file, key.signing_key.serialize_pem()).unwrap();
        let dir = tmp.path().join("received");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/mail/sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg("--dir")
            .arg(&dir)
            .arg("--mode")
            .arg(match mode {
                Mode::StartTls => "starttls",
                Mode::Plain => "plain",
                Mode::Reject => "reject",
            })
            .arg("--cert")
            .arg(&ca)
            .arg("--key")
            .arg(&key_file)
            .args(["--user", USER, "--password", PASSWORD])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (apt-get install python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the sink did not start (python3-aiosmtpd?): {line:?}"));
        Self {
            port,
            dir,
            ca,
            child,
            _tmp: tmp,
        }
    }

    /// The commands the sink saw, one "VERB tls=0|1" per line.
    pub fn events(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("events.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        (1..)
            .map(|n| self.dir.join(format!("mail-{n}.json")))
            .take_while(|p| p.exists())
            .map(|p| {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                Received {
                    mail_from: v["mail_from"].as_str().unwrap_or("").to_string(),
                    rcpt_tos: v["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_string())
                        .collect(),
                    tls: v["tls"].as_bool().unwrap(),
                    auth: v["auth"].as_str().map(str::to_string),
                    raw: v["data"].as_str().unwrap().to_string(),
                }
            })
            .collect()
    }

    /// The `[mail]` section for this sink.
    pub fn configure(&self, c: &mut Config) {
        c.mail.host = "localhost".into();
        c.mail.port = self.port;
        c.mail.starttls = MailSecurity::Required;
        c.mail.username = USER.into();
        c.mail.sender = SENDER.into();
        c.mail.ca_file = self.ca.display().to_string();
        c.mail.timeout_seconds = 10;
        c.mail_password = Secret::new(PASSWORD.into());
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message as the sink stored it.
#[derive(Debug)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub tls: bool,
    pub auth: Option<String>,
    pub raw: String,
}

impl Received {
    /// A header's value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// The body decoded from its transfer encoding.
    pub fn text(&self) -> String {
        let body = self.raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let bytes = match self.header("Content-Transfer-Encoding").as_deref() {
            Some("base64") => {
                use base64::Engine as _;
                let compact: String = body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap()
            }
            Some("quoted-printable") => quoted_printable(body),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    }
}

fn quoted_printable(body: &str) -> Vec<u8> {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A server whose `[mail]` points at `sink`.
pub fn server_for(db: Db, sink: &Sink) -> TestServer {
    TestServer::start_with(db, |c| sink.configure(c))
}

/// What a seeded chat holds, for assertions.
pub const VISITOR_SAYS: &str = "Meine Bestellung 4711 ist nicht angekommen.";
/// A line that is only a dot: SMTP must dot-stuff it, or the message ends early.
pub const DOT_LINE: &str = "Danke!\n.\nNoch eine Zeile nach dem Punkt.";
pub const OPERATOR_SAYS: &str = "Ich sehe nach und melde mich gleich.";
pub const NOTE: &str = "Interne Notiz: Kunde war schon dreimal verärgert";
pub const ALIAS: &str = "Kim";
pub const REAL_NAME: &str = "Karl Geheimname";

/// A conversation the way the chat stores one: the visitor's address, a consent in
/// `lang`, an operator shown under an alias, a note the customer must never get.
pub fn chat(server: &TestServer, email: Option<&str>, lang: &str) -> ConversationId {
    let widget = crate::visitor::widget(server, false);
    let widget = plauder::db::widgets::by_public_id(&mut server.conn(), &widget)
        .unwrap()
        .unwrap()
        .id;
    let now = server.clock.now().naive_utc();
    let ring = &server.state.ring;
    let staff = add_staff(
        server,
        &format!("karl{:x}", plauder::db::new_id(chrono::Utc::now()).unwrap()),
        Role::Operator,
        None,
    );
    let profile = Profile {
        full_name: Some(REAL_NAME.into()),
        shown_as: ShownAs::Alias,
        alias: Some(ALIAS.into()),
        avatar: Avatar::None,
    };
    let mut conn = server.conn();
    operator_profiles::save(&mut conn, ring, staff, &profile, None, now).unwrap();
    let token = plauder::crypto::random_bytes::<32>().unwrap();
    let new = NewConversation {
        widget,
        token_hash: &token,
        offline: false,
        name: Some("Erika Mustermann"),
        email,
    };
    let id = conversations::create(&mut conn, ring, &new, now).unwrap();
    let given = Given {
        notice_hash: "ab".repeat(32),
        notice_version: "abababab".into(),
        lang: lang.into(),
    };
    consents::insert(&mut conn, widget, id, &given, now).unwrap();
    assert!(conversations::take(&mut conn, id, staff, now).unwrap());
    for (sender, text) in [
        (Sender::Visitor, VISITOR_SAYS),
        (Sender::Operator, OPERATOR_SAYS),
        (Sender::Note, NOTE),
        (Sender::Visitor, DOT_LINE),
    ] {
        let m = NewMessage {
            conversation: id,
            sender,
            staff: (sender != Sender::Visitor).then_some(staff),
            client_id: None,
            text,
        };
        messages::append(&mut conn, ring, &m, now).unwrap();
    }
    id
}

/// The `transcript_mailed` / `test_mail_sent` entries: (object id, outcome), in order.
pub fn audited(server: &TestServer, action: &str) -> Vec<(Option<i64>, String)> {
    crate::audit::rows(server)
        .into_iter()
        .filter(|r| r.action == action)
        .map(|r| (r.object_id, r.outcome))
        .collect()
}
