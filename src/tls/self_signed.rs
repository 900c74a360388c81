//! The first certificate: self-signed for localhost and this host's name.

use super::{TlsError, load_error};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// This machine's host name, as the kernel knows it. The systemd unit's `ProcSubset=pid`
/// hides /proc/sys, so /etc/hostname (readable under `ProtectSystem=strict`) is asked next.
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|h| h.trim().to_string())
        .find(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Creates a key and certificate when neither exists; returns whether it created them.
pub fn ensure_self_signed(cert_path: &Path, key_path: &Path) -> Result<bool, TlsError> {
    if cert_path.exists() && key_path.exists() {
        return Ok(false);
    }
    let host = host_name();
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if host != "localhost" {
        names.insert(1, host.clone());
    }
    let setup =
        |e: rcgen::Error| TlsError::Setup(format!("cannot create a self-signed certificate: {e}"));
    let mut params = rcgen::CertificateParams::new(names).map_err(setup)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, host);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "plauder (self-signed)");
    let today = chrono::Utc::now().date_naive();
    let (y, m, d) = ymd(today - chrono::Days::new(1));
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = ymd(today + chrono::Days::new(825));
    params.not_after = rcgen::date_time_ymd(y, m, d);
    let key = rcgen::KeyPair::generate().map_err(setup)?;
    let cert = params.self_signed(&key).map_err(setup)?;
    if let Some(dir) = cert_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| load_error(dir, e.to_string()))?;
    }
    write_file(key_path, key.serialize_pem().as_bytes(), 0o600)?;
    write_file(cert_path, cert.pem().as_bytes(), 0o644)?;
    Ok(true)
}

fn ymd(day: chrono::NaiveDate) -> (i32, u8, u8) {
    use chrono::Datelike;
    let month = u8::try_from(day.month()).unwrap_or(1);
    let dom = u8::try_from(day.day()).unwrap_or(1);
    (day.year(), month, dom)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), TlsError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .map_err(|e| load_error(path, e.to_string()))?;
    file.write_all(bytes)
        .map_err(|e| load_error(path, e.to_string()))
}
