//! Reading the layers and validating the result.

use super::section::KeyError;
use super::{Config, GeneralConfig};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

const DEFAULT_CONFIG_FILE: &str = "/etc/plauder/plauder.toml";
const ENV_PREFIX: &str = "PLAUDER_";

/// A config problem: where it came from, which key, what is wrong. Displays as one line.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {}{message}", key.as_ref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
pub struct ConfigError {
    pub origin: String,
    pub key: Option<String>,
    pub message: String,
}

/// What the command line says, highest in the layering.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Vec<String>,
}

/// Builds the effective configuration from all layers; `env` is the process environment.
pub fn load(
    overrides: &Overrides,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let env: HashMap<String, String> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with(ENV_PREFIX))
        .collect();
    let mut config = Config::default();
    let mut origins: HashMap<String, String> = HashMap::new();

    if let Some(file) = config_file(overrides, &env)? {
        let origin = file.display().to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| ConfigError {
            origin: origin.clone(),
            key: None,
            message: format!("cannot read: {e}"),
        })?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError {
            origin: origin.clone(),
            key: None,
            message: syntax_message(&e, &text),
        })?;
        apply_table(&mut config, &table, &origin, &mut origins)?;
    }
    let from_env = env_table(&config, &env);
    apply_table(&mut config, &from_env, "environment", &mut origins)?;
    apply_cli(&mut config, overrides, &mut origins);
    let mail_password = validate(&config)
        .and_then(|()| super::mail::password(&config.mail, &env))
        .map_err(|e| ConfigError {
            origin: origins
                .get(&e.key)
                .cloned()
                .unwrap_or_else(|| "defaults".into()),
            key: Some(e.key),
            message: e.message,
        })?;
    config.mail_password = mail_password;
    Ok(config)
}

fn config_file(
    overrides: &Overrides,
    env: &HashMap<String, String>,
) -> Result<Option<PathBuf>, ConfigError> {
    let explicit = overrides
        .config_file
        .clone()
        .or_else(|| env.get("PLAUDER_CONFIG").map(PathBuf::from));
    match explicit {
        Some(path) if !path.exists() => Err(ConfigError {
            origin: path.display().to_string(),
            key: None,
            message: "config file does not exist".into(),
        }),
        Some(path) => Ok(Some(path)),
        None => Ok(Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.exists())),
    }
}

fn syntax_message(error: &toml::de::Error, text: &str) -> String {
    let line = error
        .span()
        .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
    let message = super::section::one_line(error.message());
    match line {
        Some(line) => format!("line {line}: {message}"),
        None => message,
    }
}

fn apply_table(
    config: &mut Config,
    table: &toml::Table,
    origin: &str,
    origins: &mut HashMap<String, String>,
) -> Result<(), ConfigError> {
    let mut general = toml::Table::new();
    for (key, value) in table {
        let result = match (key.as_str(), value) {
            ("tls", toml::Value::Table(t)) => config.tls.apply(t, "tls"),
            ("log", toml::Value::Table(t)) => config.log.apply(t, "log"),
            ("session", toml::Value::Table(t)) => config.session.apply(t, "session"),
            ("audit", toml::Value::Table(t)) => config.audit.apply(t, "audit"),
            ("jobs", toml::Value::Table(t)) => config.jobs.apply(t, "jobs"),
            ("backup", toml::Value::Table(t)) => config.backup.apply(t, "backup"),
            ("mail", toml::Value::Table(t)) => config.mail.apply(t, "mail"),
            _ => {
                general.insert(key.clone(), value.clone());
                Ok(())
            }
        };
        result.map_err(|e| key_error(origin, e))?;
        if let toml::Value::Table(t) = value {
            for sub in t.keys() {
                origins.insert(format!("{key}.{sub}"), origin.to_string());
            }
        }
        origins.insert(key.clone(), origin.to_string());
    }
    config
        .general
        .apply(&general, "")
        .map_err(|e| key_error(origin, e))
}

fn key_error(origin: &str, e: KeyError) -> ConfigError {
    ConfigError {
        origin: origin.to_string(),
        key: Some(e.key),
        message: e.message,
    }
}

/// Maps `PLAUDER_SECTION_KEY` variables onto the known keys; list values are comma-separated.
fn env_table(config: &Config, env: &HashMap<String, String>) -> toml::Table {
    let mut root = toml::Table::new();
    let sections = [
        ("", config.general.entries()),
        ("tls", config.tls.entries()),
        ("log", config.log.entries()),
        ("session", config.session.entries()),
        ("audit", config.audit.entries()),
        ("jobs", config.jobs.entries()),
        ("backup", config.backup.entries()),
        ("mail", config.mail.entries()),
    ];
    for (section, entries) in sections {
        for (field, default) in entries {
            let var = format!(
                "{ENV_PREFIX}{}",
                super::section::qualified(section, field.name)
            )
            .replace('.', "_")
            .to_uppercase();
            let Some(raw) = env.get(&var) else { continue };
            let value = env_value(raw, default.as_ref());
            if section.is_empty() {
                root.insert(field.name.to_string(), value);
            } else if let toml::Value::Table(t) = root
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            {
                t.insert(field.name.to_string(), value);
            }
        }
    }
    root
}

fn env_value(raw: &str, default: Option<&toml::Value>) -> toml::Value {
    match default {
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        Some(toml::Value::Integer(_)) => raw
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(raw.to_string())),
        Some(toml::Value::Boolean(_)) => raw
            .trim()
            .parse::<bool>()
            .map(toml::Value::Boolean)
            .unwrap_or_else(|_| toml::Value::String(raw.to_string())),
        _ => toml::Value::String(raw.to_string()),
    }
}

fn apply_cli(config: &mut Config, overrides: &Overrides, origins: &mut HashMap<String, String>) {
    if let Some(dir) = &overrides.data_dir {
        config.general.data_dir = dir.display().to_string();
        origins.insert("data_dir".into(), "command line (--data-dir)".into());
    }
    if !overrides.listen.is_empty() {
        config.general.listen = overrides.listen.clone();
        origins.insert("listen".into(), "command line (--listen)".into());
    }
}

fn invalid(key: &str, message: impl Into<String>) -> KeyError {
    KeyError {
        key: key.to_string(),
        message: message.into(),
    }
}

fn validate(config: &Config) -> Result<(), KeyError> {
    validate_general(&config.general)?;
    if config.tls.cert.is_empty() != config.tls.key.is_empty() {
        let key = if config.tls.cert.is_empty() {
            "tls.cert"
        } else {
            "tls.key"
        };
        return Err(invalid(key, "set both tls.cert and tls.key, or neither"));
    }
    // Checked here rather than when the listener starts, so that `plauder check` and a
    // package's post-install script see it, with the key and origin named.
    for (key, path) in [("tls.cert", &config.tls.cert), ("tls.key", &config.tls.key)] {
        if !path.is_empty() {
            readable_file(path).map_err(|message| invalid(key, message))?;
        }
    }
    if !valid_log_filter(&config.log.level) {
        return Err(invalid(
            "log.level",
            format!("`{}` is not a log level or filter", config.log.level),
        ));
    }
    let session = &config.session;
    if session.idle_timeout_minutes == 0 || session.absolute_timeout_hours == 0 {
        return Err(invalid(
            "session.idle_timeout_minutes",
            "timeouts must be greater than 0",
        ));
    }
    if session.idle_timeout_minutes > session.absolute_timeout_hours * 60 {
        return Err(invalid(
            "session.idle_timeout_minutes",
            "the idle timeout cannot exceed the absolute timeout",
        ));
    }
    super::mail::validate(&config.mail)?;
    super::jobs::validate(&config.jobs)?;
    super::backup::validate(&config.backup)?;
    if !(1..=36_500).contains(&config.audit.retention_days) {
        return Err(invalid(
            "audit.retention_days",
            "must be between 1 and 36500 days",
        ));
    }
    Ok(())
}

/// Opening is not enough: a directory opens, and the read is what fails for the server.
fn readable_file(path: &str) -> Result<(), String> {
    use std::io::Read;
    let mut byte = [0u8; 1];
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut byte))
        .map_err(|e| format!("cannot read `{path}`: {e}"))
        .and_then(|n| match n {
            0 => Err(format!("`{path}` is empty")),
            _ => Ok(()),
        })
}

/// "info", or directives like "plauder=debug,actix_web=warn,info".
fn valid_log_filter(filter: &str) -> bool {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let target_ok = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    !filter.trim().is_empty()
        && filter
            .split(',')
            .all(|directive| match directive.trim().split_once('=') {
                Some((target, level)) => target_ok(target.trim()) && LEVELS.contains(&level.trim()),
                None => LEVELS.contains(&directive.trim()),
            })
}

fn validate_general(general: &GeneralConfig) -> Result<(), KeyError> {
    if general.listen.is_empty() {
        return Err(invalid("listen", "at least one listen address is needed"));
    }
    for addr in &general.listen {
        addr.parse::<SocketAddr>()
            .map_err(|_| invalid("listen", format!("`{addr}` is not ADDR:PORT")))?;
    }
    let redirect = &general.http_redirect_listen;
    if !redirect.is_empty() && redirect.parse::<SocketAddr>().is_err() {
        return Err(invalid(
            "http_redirect_listen",
            format!("`{redirect}` is not ADDR:PORT"),
        ));
    }
    let metrics = &general.metrics_listen;
    if !metrics.is_empty() && metrics.parse::<SocketAddr>().is_err() {
        return Err(invalid(
            "metrics_listen",
            format!("`{metrics}` is not ADDR:PORT"),
        ));
    }
    let url = &general.public_url;
    if !url.is_empty() && !url.starts_with("https://") {
        return Err(invalid("public_url", "must start with https://"));
    }
    let db = general.database_url.expose();
    if !db.is_empty() && crate::db::Backend::from_url(db).is_err() {
        return Err(invalid(
            "database_url",
            format!(
                "scheme of `{}` is not sqlite:// or postgres://",
                general.database_url.redacted()
            ),
        ));
    }
    for proxy in &general.trusted_proxies {
        proxy
            .parse::<IpAddr>()
            .map_err(|_| invalid("trusted_proxies", format!("`{proxy}` is not an IP address")))?;
    }
    if general.data_dir.is_empty() || Path::new(&general.data_dir).is_file() {
        return Err(invalid("data_dir", "must name a directory"));
    }
    Ok(())
}
