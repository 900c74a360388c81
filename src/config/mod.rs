//! One configuration, layered defaults → TOML file → `PLAUDER_*` environment → command line,
//! validated once at start. Every error names where the value came from and the key.

mod backup;
pub mod example;
mod jobs;
mod load;
mod mail;
pub(crate) mod section;
mod types;

pub use backup::BackupConfig;
pub use jobs::{JobsConfig, parse_cron};
pub use load::{ConfigError, Overrides, load};
pub use mail::{
    MailConfig, MailSecurity, PASSWORD_ENV as MAIL_PASSWORD_ENV, Secret, ca_certificates,
};
pub use section::FieldDoc;
pub use types::{DatabaseUrl, LogFormat, TlsProfile};

use section::config_section;
use std::path::PathBuf;

config_section! {
    /// Keys at the top of the file.
    pub struct GeneralConfig {
        /// Addresses the HTTPS server listens on, as "ADDR:PORT".
        listen: Vec<String> = vec!["127.0.0.1:8443".to_string()],
        /// Address visitors and staff reach plauder under, e.g. "https://chat.example.de".
        /// Empty: derived from the first listen address.
        public_url: String = String::new(),
        /// Directory for the database, key ring and self-signed certificate.
        data_dir: String = "./plauder-data".to_string(),
        /// "sqlite://PATH" or "postgres://USER:PASSWORD@HOST/DB".
        /// Empty: an SQLite database "plauder.db" in the data directory.
        database_url: DatabaseUrl = DatabaseUrl::default(),
        /// Key ring file (keys that encrypt personal data; mode 0600).
        /// Empty: "keyring.toml" in the data directory, or the systemd credential "plauder-keyring".
        key_ring: String = String::new(),
        /// Optional plain-HTTP listener ("ADDR:PORT") that only redirects to HTTPS. Empty: off.
        http_redirect_listen: String = String::new(),
        /// IP addresses of reverse proxies whose X-Forwarded-For header is believed.
        trusted_proxies: Vec<String> = Vec::new(),
        /// Plain-HTTP listener ("ADDR:PORT") serving Prometheus metrics at /metrics, without
        /// personal data. Empty: off. Keep it on loopback, e.g. "127.0.0.1:9464", or behind a firewall.
        metrics_listen: String = String::new(),
    }
}

config_section! {
    /// TLS served by plauder itself.
    pub struct TlsConfig {
        /// PEM certificate chain. Empty (with key empty): a self-signed certificate in the data directory.
        cert: String = String::new(),
        /// PEM private key for the certificate.
        key: String = String::new(),
        /// "bsi" (BSI TR-02102-2: AES-GCM only, NIST curves) or "modern" (adds ChaCha20 and X25519).
        profile: TlsProfile = TlsProfile::Bsi,
    }
}

config_section! {
    /// Logging to stderr.
    pub struct LogConfig {
        /// "text" for people, "json" for log collectors.
        format: LogFormat = LogFormat::Text,
        /// Level or filter directive, e.g. "info" or "plauder=debug,info".
        level: String = "info".to_string(),
        /// Allow personal data (client addresses) in request logs. Only for debugging.
        personal_data: bool = false,
    }
}

config_section! {
    /// Staff login sessions.
    pub struct SessionConfig {
        /// Minutes without a request after which a session ends.
        idle_timeout_minutes: u64 = 30,
        /// Hours after login after which a session ends regardless of activity.
        absolute_timeout_hours: u64 = 12,
    }
}

config_section! {
    /// The audit log of every access to personal data.
    pub struct AuditConfig {
        /// Days an audit entry is kept before the retention prunes it (1 to 36500).
        retention_days: u32 = 730,
    }
}

/// The effective configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub general: GeneralConfig,
    pub tls: TlsConfig,
    pub log: LogConfig,
    pub session: SessionConfig,
    pub audit: AuditConfig,
    /// Scheduled jobs (`jobs`).
    pub jobs: JobsConfig,
    pub backup: BackupConfig,
    pub mail: MailConfig,
    /// The relay password (`mail.password_file` or PLAUDER_MAIL_PASSWORD), read at start.
    pub mail_password: Secret,
}

impl Config {
    pub fn data_dir(&self) -> PathBuf {
        PathBuf::from(&self.general.data_dir)
    }

    /// The database URL with the SQLite default filled in.
    pub fn database_url(&self) -> DatabaseUrl {
        if self.general.database_url.is_empty() {
            let path = self.data_dir().join("plauder.db");
            DatabaseUrl::new(format!("sqlite://{}", path.display()))
        } else {
            self.general.database_url.clone()
        }
    }

    /// Where encrypted backups go (`[backup] dir`, default `<data_dir>/backups`).
    pub fn backup_dir(&self) -> PathBuf {
        self.backup.dir_in(&self.data_dir())
    }

    pub fn key_ring_path(&self) -> PathBuf {
        if !self.general.key_ring.is_empty() {
            return PathBuf::from(&self.general.key_ring);
        }
        // systemd's LoadCredential= hands secrets over in this directory.
        if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
            let credential = PathBuf::from(dir).join("plauder-keyring");
            if credential.exists() {
                return credential;
            }
        }
        self.data_dir().join("keyring.toml")
    }

    /// Certificate and key paths; `true` when plauder manages a self-signed pair.
    pub fn tls_paths(&self) -> (PathBuf, PathBuf, bool) {
        if self.tls.cert.is_empty() {
            let dir = self.data_dir().join("tls");
            (dir.join("cert.pem"), dir.join("key.pem"), true)
        } else {
            (
                PathBuf::from(&self.tls.cert),
                PathBuf::from(&self.tls.key),
                false,
            )
        }
    }

    pub fn public_url(&self) -> String {
        if !self.general.public_url.is_empty() {
            return self.general.public_url.trim_end_matches('/').to_string();
        }
        let port = self
            .general
            .listen
            .first()
            .and_then(|l| l.rsplit(':').next())
            .unwrap_or("8443");
        format!("https://localhost:{port}")
    }
}
