//! The key ring file: a master secret for derived keys and numbered AES-256 data keys.

use super::CryptoError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

const FILE_HEADER: &str = "\
# plauder key ring. It encrypts all personal data: losing it loses that data.
# Keep a copy somewhere safe and apart from the database backups. Mode must stay 0600.
";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RingFile {
    ring_id: String,
    active: u32,
    master: String,
    keys: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: u32,
    created: String,
    key: String,
}

/// Loaded keys. Never printed: `Debug` shows ids only.
pub struct KeyRing {
    ring_id: String,
    active: u32,
    pub(super) keys: BTreeMap<u32, LessSafeKey>,
    pub(super) master: [u8; 32],
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("ring_id", &self.ring_id)
            .field("active", &self.active)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// What may be shown about a key ring.
#[derive(Debug, Clone)]
pub struct KeyRingInfo {
    pub ring_id: String,
    pub active_key: u32,
    pub key_count: usize,
}

fn ring_error(path: &Path, message: impl Into<String>) -> CryptoError {
    CryptoError::KeyRing {
        path: path.display().to_string(),
        message: message.into(),
    }
}

impl KeyRing {
    /// Creates a new ring file with one data key; refuses to overwrite an existing file.
    pub fn create(path: &Path, now: &str) -> Result<Self, CryptoError> {
        let file = RingFile {
            ring_id: format!("kr-{}", hex(&super::random_bytes::<6>()?)),
            active: 1,
            master: B64.encode(super::random_bytes::<32>()?),
            keys: vec![new_entry(1, now)?],
        };
        write_file(path, &file, false)?;
        Self::from_file(path, file)
    }

    /// Loads a ring; a file readable by group or others is refused.
    pub fn load(path: &Path) -> Result<Self, CryptoError> {
        let meta =
            std::fs::metadata(path).map_err(|e| ring_error(path, format!("cannot read: {e}")))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(ring_error(
                path,
                format!(
                    "is accessible by group or others (mode {mode:o}); run `chmod 600 {}`",
                    path.display()
                ),
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| ring_error(path, format!("cannot read: {e}")))?;
        let file: RingFile = toml::from_str(&text)
            .map_err(|e| ring_error(path, format!("not a key ring: {}", e.message())))?;
        Self::from_file(path, file)
    }

    /// Adds a key that new writes use from now on; old keys stay for reading.
    pub fn rotate(path: &Path, now: &str) -> Result<u32, CryptoError> {
        Self::load(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| ring_error(path, e.to_string()))?;
        let mut file: RingFile =
            toml::from_str(&text).map_err(|e| ring_error(path, e.message().to_string()))?;
        let id = file.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        file.keys.push(new_entry(id, now)?);
        file.active = id;
        write_file(path, &file, true)?;
        Ok(id)
    }

    fn from_file(path: &Path, file: RingFile) -> Result<Self, CryptoError> {
        let master = decode_key(path, &file.master)?;
        let mut keys = BTreeMap::new();
        for entry in &file.keys {
            let bytes = decode_key(path, &entry.key)?;
            let unbound =
                UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| ring_error(path, "bad key"))?;
            keys.insert(entry.id, LessSafeKey::new(unbound));
        }
        if !keys.contains_key(&file.active) {
            return Err(ring_error(
                path,
                format!("active key {} is missing", file.active),
            ));
        }
        Ok(Self {
            ring_id: file.ring_id,
            active: file.active,
            keys,
            master,
        })
    }

    pub fn active_key_id(&self) -> u32 {
        self.active
    }

    pub fn info(&self) -> KeyRingInfo {
        KeyRingInfo {
            ring_id: self.ring_id.clone(),
            active_key: self.active,
            key_count: self.keys.len(),
        }
    }
}

fn new_entry(id: u32, now: &str) -> Result<KeyEntry, CryptoError> {
    Ok(KeyEntry {
        id,
        created: now.to_string(),
        key: B64.encode(super::random_bytes::<32>()?),
    })
}

fn decode_key(path: &Path, text: &str) -> Result<[u8; 32], CryptoError> {
    let bytes = B64
        .decode(text)
        .map_err(|_| ring_error(path, "a key is not valid base64"))?;
    bytes
        .try_into()
        .map_err(|_| ring_error(path, "a key is not 256 bits"))
}

/// Writes with mode 0600 from the first byte; replacing goes through a temp file and rename.
fn write_file(path: &Path, file: &RingFile, replace: bool) -> Result<(), CryptoError> {
    let body = toml::to_string(file).map_err(|e| ring_error(path, e.to_string()))?;
    let target: PathBuf = if replace {
        path.with_extension("tmp")
    } else {
        path.to_path_buf()
    };
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&target)
        .map_err(|e| ring_error(&target, format!("cannot create: {e}")))?;
    out.write_all(FILE_HEADER.as_bytes())
        .and_then(|_| out.write_all(body.as_bytes()))
        .and_then(|_| out.sync_all())
        .map_err(|e| ring_error(&target, format!("cannot write: {e}")))?;
    if replace {
        std::fs::rename(&target, path)
            .map_err(|e| ring_error(path, format!("cannot replace: {e}")))?;
    }
    Ok(())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
