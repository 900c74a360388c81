//! The PostgreSQL client tools a backup needs (`pg_dump`, `pg_restore`; Debian package
//! postgresql-client), and the connection handed to them through `PG*` environment
//! variables: the password goes in `PGPASSWORD`, never on a command line where `ps` shows it.

use super::BackupError;
use std::path::PathBuf;
use std::process::Command;

/// Finds a tool on PATH, else the newest `/usr/lib/postgresql/<version>/bin/` that has it.
pub fn find(tool: &str) -> Result<PathBuf, BackupError> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(tool);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let candidate = e.path().join("bin").join(tool);
            candidate.is_file().then_some((version, candidate))
        })
        .collect();
    versioned.sort();
    versioned.pop().map(|(_, p)| p).ok_or_else(|| {
        BackupError::Io(format!(
            "`{tool}` not found on PATH or in /usr/lib/postgresql/*/bin: install the PostgreSQL client tools (Debian: postgresql-client)"
        ))
    })
}

/// A `Command` for the tool, connected to the database of `url` through the environment.
pub fn command(tool: &str, url: &str) -> Result<Command, BackupError> {
    let mut cmd = Command::new(find(tool)?);
    for (key, value) in env_for(url)? {
        cmd.env(key, value);
    }
    Ok(cmd)
}

/// `postgres://user:password@host:port/db?sslmode=…` as libpq environment variables.
pub fn env_for(url: &str) -> Result<Vec<(&'static str, String)>, BackupError> {
    let bad = || {
        BackupError::Io("the database URL is not postgres://USER:PASSWORD@HOST[:PORT]/DB".into())
    };
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(bad)?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, db) = rest.split_once('/').ok_or_else(bad)?;
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let mut env = Vec::new();
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            env.push(("PGUSER", decode(user)));
        }
        if let Some(p) = password {
            env.push(("PGPASSWORD", decode(p)));
        }
    }
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(bad)?;
        (h.to_string(), after.strip_prefix(':').map(str::to_string))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (hostport.to_string(), None),
        }
    };
    if !host.is_empty() {
        env.push(("PGHOST", decode(&host)));
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        env.push(("PGPORT", port));
    }
    if db.is_empty() {
        return Err(bad());
    }
    env.push(("PGDATABASE", decode(db)));
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let var = match key {
            "sslmode" => "PGSSLMODE",
            "sslrootcert" => "PGSSLROOTCERT",
            "sslcert" => "PGSSLCERT",
            "sslkey" => "PGSSLKEY",
            "host" => "PGHOST",
            "port" => "PGPORT",
            "user" => "PGUSER",
            "password" => "PGPASSWORD",
            "application_name" => "PGAPPNAME",
            "connect_timeout" => "PGCONNECT_TIMEOUT",
            _ => continue,
        };
        env.push((var, decode(value)));
    }
    Ok(env)
}

/// Percent-decoding of one URL component.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a prepared command; a failure names the tool and carries its stderr (which holds
/// no password: that went through the environment).
pub fn run(mut cmd: Command, what: &str) -> Result<Vec<u8>, BackupError> {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| BackupError::Io(format!("cannot run {what}: {e}")))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(BackupError::Io(format!(
            "{what} failed ({}): {}",
            out.status,
            err.trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_becomes_environment_without_the_password_elsewhere() {
        let env = env_for("postgres://app:p%40ss@db.example:5433/chat?sslmode=require").unwrap();
        let get = |k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PGUSER"), Some("app"));
        assert_eq!(get("PGPASSWORD"), Some("p@ss"));
        assert_eq!(get("PGHOST"), Some("db.example"));
        assert_eq!(get("PGPORT"), Some("5433"));
        assert_eq!(get("PGDATABASE"), Some("chat"));
        assert_eq!(get("PGSSLMODE"), Some("require"));
        let env = env_for("postgres://postgres@127.0.0.1:54330/x").unwrap();
        assert!(env.iter().all(|(k, _)| *k != "PGPASSWORD"));
        assert!(env_for("postgres://host").is_err());
    }
}
