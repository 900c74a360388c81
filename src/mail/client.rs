//! The one SMTP client: lettre over tokio with our rustls on ring, to the configured relay
//! and nowhere else. Built once at start from the validated `[mail]` section; every send
//! opens a fresh connection (mail is rare, so no pool holds one open).

use crate::config::{MailConfig, MailSecurity, Secret};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Why a mail was not sent. The text is shown to the staff member who pressed the button:
/// the relay's own reply where there is one, never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("mail is not configured")]
    NotConfigured,
    /// The recipient or the message could not be built (nothing was sent).
    #[error("{0}")]
    Message(String),
    /// The relay could not be reached, refused, or the TLS handshake failed.
    #[error("{0}")]
    Relay(String),
}

/// What the admin page shows of the relay: everything but the password's value.
#[derive(Debug, Clone)]
pub struct Summary {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    pub username: String,
    pub password_set: bool,
    pub sender: String,
    pub ca_file: String,
    pub timeout_seconds: u64,
}

struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: Mailbox,
    /// The password as sent (clear, AUTH LOGIN and AUTH PLAIN forms), only to scrub it out
    /// of an error text, should a relay ever echo it.
    hidden: Vec<String>,
    summary: Summary,
}

/// The mail client of the running server; `None` inside when `[mail]` has no host.
pub struct Mailer {
    relay: Option<Relay>,
}

impl Mailer {
    /// Mail off: every send answers `NotConfigured`.
    pub fn disabled() -> Self {
        Self { relay: None }
    }

    /// The client for a validated section; `hello` is the name plauder greets the relay
    /// with (the public URL's host), else this machine's host name.
    pub fn new(
        config: &MailConfig,
        password: &Secret,
        hello: Option<String>,
    ) -> Result<Self, String> {
        if !config.enabled() {
            return Ok(Self::disabled());
        }
        let host = config.host.trim();
        let sender: Mailbox = config
            .sender
            .trim()
            .parse()
            .map_err(|e| format!("mail.sender: {e}"))?;
        let tls_name = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls = || -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(tls_name.clone())
                .certificate_store(CertificateStore::Default);
            if !config.ca_file.is_empty() {
                for der in crate::config::ca_certificates(&config.ca_file)
                    .map_err(|m| format!("mail.ca_file: {m}"))?
                {
                    let cert = Certificate::from_der(der.to_vec())
                        .map_err(|e| format!("mail.ca_file: {e}"))?;
                    builder = builder.add_root_certificate(cert);
                }
            }
            builder.build_rustls().map_err(|e| format!("mail TLS: {e}"))
        };
        let security = match config.starttls {
            MailSecurity::Required => Tls::Required(tls()?),
            MailSecurity::Tls => Tls::Wrapper(tls()?),
            MailSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(tls_name.clone())
            .port(config.port)
            .tls(security)
            .timeout(Some(Duration::from_secs(config.timeout_seconds)));
        if let Some(name) = hello.filter(|h| !h.is_empty()) {
            builder = builder.hello_name(ClientId::Domain(name));
        }
        if let (false, Some(pw)) = (config.username.is_empty(), password.expose()) {
            builder =
                builder.credentials(Credentials::new(config.username.clone(), pw.to_string()));
        }
        Ok(Self {
            relay: Some(Relay {
                transport: builder.build(),
                sender,
                hidden: hidden_forms(&config.username, password),
                summary: Summary {
                    host: host.to_string(),
                    port: config.port,
                    security: config.starttls,
                    username: config.username.clone(),
                    password_set: password.is_set(),
                    sender: config.sender.trim().to_string(),
                    ca_file: config.ca_file.clone(),
                    timeout_seconds: config.timeout_seconds,
                },
            }),
        })
    }

    pub fn enabled(&self) -> bool {
        self.relay.is_some()
    }

    pub fn summary(&self) -> Option<&Summary> {
        self.relay.as_ref().map(|r| &r.summary)
    }

    /// The configured sender, for building a message.
    pub fn sender(&self) -> Option<&Mailbox> {
        self.relay.as_ref().map(|r| &r.sender)
    }

    /// Hands `message` to the relay: connect, (START)TLS as configured, AUTH, MAIL FROM,
    /// RCPT TO, DATA, QUIT. With STARTTLS required, a relay that does not offer it gets
    /// nothing but EHLO.
    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        let relay = self.relay.as_ref().ok_or(MailError::NotConfigured)?;
        relay
            .transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Relay(scrub(&e.to_string(), &relay.hidden)))
    }
}

/// The password as it may travel: in clear, base64 alone (AUTH LOGIN) and inside the
/// base64 of AUTH PLAIN.
fn hidden_forms(username: &str, password: &Secret) -> Vec<String> {
    use base64::Engine as _;
    let Some(pw) = password.expose().filter(|p| !p.is_empty()) else {
        return Vec::new();
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        b64.encode(format!("\0{username}\0{pw}")),
        b64.encode(pw),
        pw.to_string(),
    ]
}

/// Removes every hidden form from a text meant for the screen or the log. No relay is
/// known to echo them; this makes sure of it.
fn scrub(text: &str, hidden: &[String]) -> String {
    hidden
        .iter()
        .fold(text.to_string(), |out, h| out.replace(h.as_str(), "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_the_password_in_clear_and_base64() {
        let hidden = hidden_forms("chat", &Secret::new("geheim-42".into()));
        let text = "535 bad geheim-42 Z2VoZWltLTQy AGNoYXQAZ2VoZWltLTQy";
        let shown = scrub(text, &hidden);
        assert_eq!(shown, "535 bad *** *** ***");
        assert_eq!(scrub("ok", &[]), "ok");
    }

    #[test]
    fn disabled_without_host() {
        let m = Mailer::new(&MailConfig::default(), &Secret::default(), None).unwrap();
        assert!(!m.enabled());
        assert!(m.summary().is_none());
    }

    #[test]
    fn summary_never_holds_the_password() {
        let config = MailConfig {
            host: "smtp.example.de".into(),
            username: "chat".into(),
            sender: "chat@example.de".into(),
            ..MailConfig::default()
        };
        let m = Mailer::new(&config, &Secret::new("geheim-42".into()), None).unwrap();
        let summary = m.summary().unwrap();
        assert!(summary.password_set);
        assert!(!format!("{summary:?}").contains("geheim"));
    }
}
