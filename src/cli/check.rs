//! `plauder check`: prints the effective configuration (secrets redacted), then checks what
//! IT needs before a start: certificate against its key and its expiry, the key ring's
//! permissions, a writable data directory, a reachable and migrated database.
//! Reads only: it must never create, migrate, repair or rewrite anything.

use super::Failure;
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::Backend;
use crate::tls::{CertStore, CertSummary};
use chrono::{NaiveDateTime, TimeDelta};
use std::fmt;
use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A certificate closer to its end than this is a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub subject: &'static str,
    pub detail: String,
}

impl Finding {
    fn new(level: Level, subject: &'static str, detail: impl Into<String>) -> Self {
        // libpq's messages span lines; a finding is one line.
        let detail: String = detail.into();
        Self {
            level,
            subject,
            detail: detail.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// One line per finding, as a TOML comment: the whole output stays valid TOML.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Ok => "ok  ",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        };
        write!(f, "# {level} {}: {}", self.subject, self.detail)
    }
}

/// Exit 0 when nothing failed (warnings allowed), 1 when a check failed.
pub fn run(config: &Config, config_only: bool, now: NaiveDateTime) -> Result<(), Failure> {
    print!("{}", crate::config::example::effective_toml(config));
    if config_only {
        return Ok(());
    }
    let findings = [
        certificate(config, now),
        key_ring(config),
        data_dir(config),
        database(config),
    ];
    println!("\n# Checks (run them as the service user: runuser -u plauder -- plauder check)");
    for finding in &findings {
        println!("{finding}");
    }
    let failed = findings.iter().filter(|f| f.level == Level::Fail).count();
    if failed > 0 {
        return Err(Failure::runtime(format!("{failed} check(s) failed")));
    }
    Ok(())
}

fn certificate(config: &Config, now: NaiveDateTime) -> Finding {
    let (cert, key, self_signed) = config.tls_paths();
    if self_signed && !cert.exists() {
        return Finding::new(
            Level::Warn,
            "certificate",
            format!(
                "{} does not exist yet; `plauder init` or the first start creates a self-signed one",
                cert.display()
            ),
        );
    }
    let summary = CertStore::load(&cert, &key, config.tls.profile)
        .map_err(|e| e.to_string())
        .and_then(|store| {
            store
                .summary()
                .ok_or_else(|| "cannot read its summary".to_string())
        });
    match summary {
        Ok(summary) => expiry(&cert, &summary, now),
        Err(e) => Finding::new(Level::Fail, "certificate", e),
    }
}

/// The certificate is known to match its key; this judges its remaining time.
pub fn expiry(cert: &Path, summary: &CertSummary, now: NaiveDateTime) -> Finding {
    let left = summary.not_after - now;
    let date = summary.not_after.format("%Y-%m-%d %H:%M UTC");
    let (level, detail) = if left <= TimeDelta::zero() {
        (
            Level::Fail,
            format!(
                "expired on {date}; put a new certificate in place, then `systemctl reload plauder`"
            ),
        )
    } else if left < TimeDelta::days(EXPIRY_WARNING_DAYS) {
        (
            Level::Warn,
            format!(
                "expires in {} day(s), on {date}; renew it, then `systemctl reload plauder`",
                left.num_days()
            ),
        )
    } else {
        (
            Level::Ok,
            format!("valid until {date} ({} days)", left.num_days()),
        )
    };
    Finding::new(
        level,
        "certificate",
        format!(
            "{} ({}) matches its key; {detail}",
            cert.display(),
            summary.subject
        ),
    )
}

fn key_ring(config: &Config) -> Finding {
    let path = config.key_ring_path();
    let meta = match std::fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Finding::new(
                Level::Warn,
                "key ring",
                format!(
                    "{} does not exist yet; `plauder init` creates it",
                    path.display()
                ),
            );
        }
        Err(e) => return Finding::new(Level::Fail, "key ring", format!("{}: {e}", path.display())),
    };
    // load() refuses a ring that group or others can read, and one that does not parse.
    let info = match KeyRing::load(&path) {
        Ok(ring) => ring.info(),
        Err(e) => return Finding::new(Level::Fail, "key ring", e.to_string()),
    };
    let owner = user_name(meta.uid());
    let summary = format!(
        "{}: mode {:o}, owner {owner}, {} key(s), active key {}",
        path.display(),
        meta.mode() & 0o777,
        info.key_count,
        info.active_key
    );
    // A ring written by root (say `plauder keys rotate` run as root) is unreadable for the
    // service, which owns the data directory.
    let in_data_dir = path.starts_with(config.data_dir());
    match std::fs::metadata(config.data_dir()) {
        Ok(dir) if in_data_dir && dir.uid() != meta.uid() => {
            let service = user_name(dir.uid());
            Finding::new(
                Level::Warn,
                "key ring",
                format!(
                    "{summary}; the data directory belongs to {service}, so the service may not read it: chown {service}: {}",
                    path.display()
                ),
            )
        }
        _ => Finding::new(Level::Ok, "key ring", summary),
    }
}

fn data_dir(config: &Config) -> Finding {
    let dir = config.data_dir();
    let meta = match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => meta,
        Ok(_) => {
            return Finding::new(
                Level::Fail,
                "data directory",
                format!("{} is not a directory", dir.display()),
            );
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Finding::new(
                Level::Warn,
                "data directory",
                format!(
                    "{} does not exist yet; `plauder init` creates it",
                    dir.display()
                ),
            );
        }
        Err(e) => {
            return Finding::new(
                Level::Fail,
                "data directory",
                format!("{}: {e}", dir.display()),
            );
        }
    };
    let probe = dir.join(format!(".plauder-check-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe);
    if let Err(e) = written {
        return Finding::new(
            Level::Fail,
            "data directory",
            format!(
                "{} is not writable for {}: {e}",
                dir.display(),
                user_name(effective_uid())
            ),
        );
    }
    let _ = std::fs::remove_file(&probe);
    let mode = meta.mode() & 0o777;
    let owner = user_name(meta.uid());
    let summary = format!(
        "{} is writable; mode {mode:o}, owner {owner}",
        dir.display()
    );
    if mode & 0o007 != 0 {
        return Finding::new(
            Level::Warn,
            "data directory",
            format!(
                "{summary}; others may enter it: chmod 750 {}",
                dir.display()
            ),
        );
    }
    if effective_uid() == 0 && meta.uid() != 0 {
        return Finding::new(
            Level::Warn,
            "data directory",
            format!(
                "{summary}, but checked as root, who may write anywhere: run the check as {owner}"
            ),
        );
    }
    Finding::new(Level::Ok, "data directory", summary)
}

fn database(config: &Config) -> Finding {
    let url = config.database_url();
    let shown = url.redacted();
    if let Some(path) = url.expose().strip_prefix("sqlite://")
        && !Path::new(path).exists()
    {
        return Finding::new(
            Level::Warn,
            "database",
            format!("{shown} does not exist yet; `plauder init` or the first start creates it"),
        );
    }
    match crate::db::migration_status::migration_status(url.expose()) {
        Err(e) => Finding::new(Level::Fail, "database", format!("{shown}: {e}")),
        Ok(s) if !s.unknown.is_empty() => Finding::new(
            Level::Fail,
            "database",
            format!(
                "{shown}: migrated by a newer plauder ({}); this binary is older than the database",
                s.unknown.join(", ")
            ),
        ),
        Ok(s) if !s.pending.is_empty() => Finding::new(
            Level::Warn,
            "database",
            format!(
                "{} at {shown} reachable; {} migration(s) pending ({}): `plauder migrate` or the next start applies them",
                backend_name(s.backend),
                s.pending.len(),
                s.pending.join(", ")
            ),
        ),
        Ok(s) => Finding::new(
            Level::Ok,
            "database",
            format!(
                "{} at {shown} reachable; all {} migrations applied",
                backend_name(s.backend),
                s.applied
            ),
        ),
    }
}

fn backend_name(backend: Backend) -> &'static str {
    backend.name()
}

/// The effective user: /proc/self belongs to it. (No libc call: the crate forbids unsafe.)
fn effective_uid() -> u32 {
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}

/// A user's name from /etc/passwd, else the number.
fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)? == uid.to_string()).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| uid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default()
    }

    fn judged(now: NaiveDateTime) -> Finding {
        let summary = CertSummary {
            subject: "CN=chat.example.de".into(),
            not_after: at(2027, 3, 31),
        };
        expiry(Path::new("/etc/ssl/chat.pem"), &summary, now)
    }

    #[test]
    fn expiry_is_ok_then_a_warning_then_a_failure() {
        let ok = judged(at(2027, 1, 1));
        assert_eq!(ok.level, Level::Ok, "{ok}");
        assert!(
            ok.detail.contains("valid until 2027-03-31") && ok.detail.contains("89 days"),
            "{ok}"
        );
        assert_eq!(judged(at(2027, 3, 1)).level, Level::Ok, "30 days left");
        let soon = judged(at(2027, 3, 2));
        assert_eq!(soon.level, Level::Warn, "29 days left: {soon}");
        assert!(soon.detail.contains("expires in 29 day(s)"), "{soon}");
        let gone = judged(at(2027, 4, 1));
        assert_eq!(gone.level, Level::Fail, "{gone}");
        assert!(gone.detail.contains("expired on 2027-03-31"), "{gone}");
        assert!(
            gone.to_string()
                .starts_with("# FAIL certificate: /etc/ssl/chat.pem"),
            "{gone}"
        );
    }

    #[test]
    fn user_names_come_from_passwd() {
        assert_eq!(user_name(0), "root");
        assert_eq!(user_name(4_000_000_000), "4000000000");
    }
}
