//! The `[mail]` section: the company's own SMTP relay, the only way plauder sends mail
//! (a transcript to a customer, an admin's test mail). Validated at start like every other
//! key; the password never sits in the config file: it comes from `password_file` or the
//! environment variable `PLAUDER_MAIL_PASSWORD`, and is never printed or logged.

use super::section::{KeyError, config_section};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

/// The variable that may carry the relay password instead of `mail.password_file`.
pub const PASSWORD_ENV: &str = "PLAUDER_MAIL_PASSWORD";

/// Longest password file read; a relay password is short, a mistaken path may be huge.
const MAX_PASSWORD_BYTES: u64 = 4096;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// Plain connect, then STARTTLS; refused (nothing sent) when the relay does not offer it.
    Required,
    /// TLS from the first byte ("SMTPS", usually port 465).
    Tls,
    /// No encryption: only for a relay on this machine (loopback), e.g. a local Postfix.
    None,
}

config_section! {
    /// Outgoing mail through the company's own SMTP relay.
    pub struct MailConfig {
        /// Host name or IP address of the company's SMTP relay (no scheme, no port).
        /// Empty: mail is off, plauder sends no mail at all.
        host: String = String::new(),
        /// Port of the relay: 587 for STARTTLS (submission), 465 for "tls", 25 for a local "none".
        port: u16 = 587,
        /// "required": STARTTLS, and nothing is sent when the relay does not offer it;
        /// "tls": TLS from the first byte (port 465); "none": no encryption, only for a relay
        /// on this machine (host localhost, 127.0.0.0/8 or ::1).
        starttls: MailSecurity = MailSecurity::Required,
        /// User name for SMTP AUTH (PLAIN or LOGIN, only over TLS). Empty: no authentication.
        username: String = String::new(),
        /// File holding the relay password (one line, not readable by everyone), read at start.
        /// Or set the environment variable PLAUDER_MAIL_PASSWORD instead (not both).
        /// Never shown in the admin UI and never logged.
        password_file: String = String::new(),
        /// Sender of every mail, e.g. "Kundenservice <chat@example.de>"; must be allowed by the relay.
        sender: String = String::new(),
        /// Optional PEM file with the CA certificate(s) of a relay with a private CA, trusted
        /// in addition to the system's certificate store.
        ca_file: String = String::new(),
        /// Seconds to wait for the relay (connect and each reply) before giving up (1 to 300).
        timeout_seconds: u64 = 30,
    }
}

impl MailConfig {
    /// Mail is on only with a relay host.
    pub fn enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }
}

/// A password; `Debug` never shows it, and nothing else prints it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Option<String>);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(Some(value))
    }

    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The real value, for the relay's AUTH only.
    pub fn expose(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Secret(***)"),
            None => f.write_str("Secret(none)"),
        }
    }
}

fn invalid(key: &str, message: impl Into<String>) -> KeyError {
    KeyError {
        key: format!("mail.{key}"),
        message: message.into(),
    }
}

/// Whether `host` is this machine, where an unencrypted hop never leaves it.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

fn valid_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok()
        || (!host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }))
}

/// Checks the section; a disabled section (no host) is not checked further.
pub fn validate(mail: &MailConfig) -> Result<(), KeyError> {
    if !mail.enabled() {
        return Ok(());
    }
    let host = mail.host.trim();
    if !valid_host(host) {
        return Err(invalid(
            "host",
            format!(
                "`{host}` is not a host name or IP address (no scheme, no port: use mail.port)"
            ),
        ));
    }
    if mail.port == 0 {
        return Err(invalid("port", "must be between 1 and 65535"));
    }
    match mail.starttls {
        MailSecurity::None if !is_loopback(host) => {
            return Err(invalid(
                "starttls",
                format!(
                    "\"none\" would send transcripts and the password unencrypted to `{host}`; \
                     it is only allowed for a relay on this machine (localhost, 127.0.0.1, ::1)"
                ),
            ));
        }
        MailSecurity::Tls if mail.port == 587 => {
            return Err(invalid(
                "port",
                "587 is the STARTTLS port; with starttls = \"tls\" set the relay's TLS port (usually 465)",
            ));
        }
        _ => {}
    }
    if mail.sender.trim().is_empty() {
        return Err(invalid(
            "sender",
            "a sender address is needed when mail.host is set",
        ));
    }
    mail.sender
        .trim()
        .parse::<lettre::message::Mailbox>()
        .map_err(|e| {
            invalid(
                "sender",
                format!("`{}` is not an e-mail address: {e}", mail.sender.trim()),
            )
        })?;
    if !(1..=300).contains(&mail.timeout_seconds) {
        return Err(invalid("timeout_seconds", "must be between 1 and 300"));
    }
    if !mail.ca_file.is_empty() {
        ca_certificates(&mail.ca_file).map_err(|m| invalid("ca_file", m))?;
    }
    Ok(())
}

/// The certificates of `mail.ca_file` (at least one).
pub fn ca_certificates(
    path: &str,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read `{path}`: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("`{path}` is not a PEM certificate file: {e}"))?;
    if certs.is_empty() {
        return Err(format!("`{path}` holds no PEM certificate"));
    }
    Ok(certs)
}

/// The relay password from `mail.password_file` or `PLAUDER_MAIL_PASSWORD` (`env` holds the
/// process's `PLAUDER_*` variables), checked against `mail.username`.
pub fn password(mail: &MailConfig, env: &HashMap<String, String>) -> Result<Secret, KeyError> {
    if !mail.enabled() {
        return Ok(Secret::default());
    }
    let from_env = env.get(PASSWORD_ENV).filter(|p| !p.is_empty());
    let secret = match (mail.password_file.is_empty(), from_env) {
        (false, Some(_)) => {
            return Err(invalid(
                "password_file",
                format!("set mail.password_file or {PASSWORD_ENV}, not both"),
            ));
        }
        (false, None) => Secret::new(read_password_file(&mail.password_file)?),
        (true, Some(p)) => Secret::new(p.clone()),
        (true, None) => Secret::default(),
    };
    if mail.username.is_empty() && secret.is_set() {
        return Err(invalid(
            "username",
            "a relay password is set but no user name",
        ));
    }
    if !mail.username.is_empty() && !secret.is_set() {
        return Err(invalid(
            "password_file",
            format!(
                "mail.username is set: give the password in mail.password_file or {PASSWORD_ENV}"
            ),
        ));
    }
    if !mail.username.is_empty() && mail.starttls == MailSecurity::None {
        return Err(invalid(
            "username",
            "no SMTP AUTH without TLS: the password would travel unencrypted",
        ));
    }
    Ok(secret)
}

fn read_password_file(path: &str) -> Result<String, KeyError> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| invalid("password_file", format!("cannot read `{path}`: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file
            .metadata()
            .map_err(|e| invalid("password_file", format!("cannot read `{path}`: {e}")))?
            .permissions()
            .mode();
        if mode & 0o004 != 0 {
            return Err(invalid(
                "password_file",
                format!(
                    "`{path}` is readable by everyone: chmod 0600 (or 0640 for the plauder group)"
                ),
            ));
        }
    }
    let mut text = String::new();
    file.take(MAX_PASSWORD_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| invalid("password_file", format!("cannot read `{path}`: {e}")))?;
    if text.len() as u64 > MAX_PASSWORD_BYTES {
        return Err(invalid(
            "password_file",
            format!("`{path}` is too long for a password"),
        ));
    }
    // One line; the newline an editor adds is not part of the password.
    let password = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if password.is_empty() || password.contains(['\n', '\r']) {
        return Err(invalid(
            "password_file",
            format!("`{path}` must hold the password on one line"),
        ));
    }
    Ok(password.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> MailConfig {
        MailConfig {
            host: "smtp.example.de".into(),
            sender: "Kundenservice <chat@example.de>".into(),
            ..MailConfig::default()
        }
    }

    fn key_of(r: Result<(), KeyError>) -> String {
        r.err().map(|e| e.key).unwrap_or_default()
    }

    #[test]
    fn disabled_without_host_and_valid_when_complete() {
        assert!(!MailConfig::default().enabled());
        assert!(validate(&MailConfig::default()).is_ok());
        assert!(validate(&on()).is_ok());
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut m = on();
        m.host = "smtp://relay:587".into();
        assert_eq!(key_of(validate(&m)), "mail.host");
        let mut m = on();
        m.sender = "not an address".into();
        assert_eq!(key_of(validate(&m)), "mail.sender");
        let mut m = on();
        m.sender = String::new();
        assert_eq!(key_of(validate(&m)), "mail.sender");
        let mut m = on();
        m.starttls = MailSecurity::Tls;
        assert_eq!(key_of(validate(&m)), "mail.port");
        m.port = 465;
        assert!(validate(&m).is_ok());
        let mut m = on();
        m.timeout_seconds = 0;
        assert_eq!(key_of(validate(&m)), "mail.timeout_seconds");
        let mut m = on();
        m.ca_file = "/nonexistent/ca.pem".into();
        assert_eq!(key_of(validate(&m)), "mail.ca_file");
    }

    #[test]
    fn unencrypted_only_on_loopback() {
        let mut m = on();
        m.starttls = MailSecurity::None;
        assert_eq!(key_of(validate(&m)), "mail.starttls");
        for host in ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"] {
            m.host = host.into();
            assert!(validate(&m).is_ok(), "{host}");
        }
        m.host = "10.0.0.1".into();
        assert!(validate(&m).is_err());
    }

    #[test]
    fn password_from_file_or_environment_never_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "geheim-1\n").unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
        std::fs::set_permissions(&path, perms).unwrap();
        let mut m = on();
        m.username = "chat".into();
        m.password_file = path.display().to_string();
        let none = HashMap::new();
        let secret = password(&m, &none).unwrap();
        assert_eq!(secret.expose(), Some("geheim-1"));
        assert!(!format!("{secret:?}").contains("geheim"));
        let env = HashMap::from([(PASSWORD_ENV.to_string(), "anders".to_string())]);
        assert_eq!(password(&m, &env).unwrap_err().key, "mail.password_file");
        m.password_file = String::new();
        assert_eq!(password(&m, &env).unwrap().expose(), Some("anders"));
        assert_eq!(password(&m, &none).unwrap_err().key, "mail.password_file");
        m.username = String::new();
        assert_eq!(password(&m, &env).unwrap_err().key, "mail.username");
    }

    #[test]
    fn world_readable_password_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "geheim").unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
        std::fs::set_permissions(&path, perms).unwrap();
        let mut m = on();
        m.username = "chat".into();
        m.password_file = path.display().to_string();
        let e = password(&m, &HashMap::new()).unwrap_err();
        assert_eq!(e.key, "mail.password_file");
        assert!(e.message.contains("everyone"), "{}", e.message);
    }
}
