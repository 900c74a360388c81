//! The archive's plaintext header: what it says about a backup, its bytes (the chunks'
//! associated data), and the chunk key and nonces derived from it.

use super::{FormatError, MAGIC, PREFIX, PURPOSE, SALT, VERSION};
use crate::crypto::KeyRing;
use ring::aead::{AES_256_GCM, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;
use std::io::{self, Read};

/// Which database the archive holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn byte(self) -> u8 {
        match self {
            Self::Sqlite => 1,
            Self::Postgres => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }

    pub fn of(db: crate::db::Backend) -> Self {
        match db {
            crate::db::Backend::Sqlite => Self::Sqlite,
            crate::db::Backend::Postgres => Self::Postgres,
        }
    }
}

/// What the header says about a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub backend: Backend,
    pub created: i64,
    pub key_id: u32,
    pub ring_id: String,
    salt: [u8; SALT],
    prefix: [u8; PREFIX],
}

impl Header {
    pub fn new(backend: Backend, created: i64, ring: &KeyRing) -> Result<Self, FormatError> {
        let ring_id = ring.info().ring_id;
        if ring_id.len() > 255 {
            return Err(FormatError::BadHeader("ring id longer than 255 bytes"));
        }
        Ok(Self {
            backend,
            created,
            key_id: ring.active_key_id(),
            ring_id,
            salt: crate::crypto::random_bytes().map_err(|_| FormatError::Random)?,
            prefix: crate::crypto::random_bytes().map_err(|_| FormatError::Random)?,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.ring_id.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[VERSION, self.backend.byte(), 1, 0]);
        out.extend_from_slice(&self.created.to_be_bytes());
        out.extend_from_slice(&self.key_id.to_be_bytes());
        // Checked in `new`; a longer id cannot be built.
        out.push(u8::try_from(self.ring_id.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(self.ring_id.as_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.prefix);
        out
    }

    /// Reads a header; returns it with its exact bytes (the chunks' associated data).
    pub fn read(input: &mut impl Read) -> Result<(Self, Vec<u8>), FormatError> {
        let mut fixed = [0u8; 25];
        let mut got = 0;
        while got < fixed.len() {
            match input.read(&mut fixed[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(FormatError::Truncated),
            }
        }
        if got < MAGIC.len() || &fixed[..8] != MAGIC {
            return Err(FormatError::NotABackup);
        }
        if got < fixed.len() {
            return Err(FormatError::Truncated);
        }
        if fixed[8] != VERSION {
            return Err(FormatError::Version(fixed[8]));
        }
        let backend = match fixed[9] {
            1 => Backend::Sqlite,
            2 => Backend::Postgres,
            _ => return Err(FormatError::BadHeader("unknown backend")),
        };
        if fixed[10] != 1 || fixed[11] != 0 {
            return Err(FormatError::BadHeader("unknown compression or flags"));
        }
        let mut created = [0u8; 8];
        created.copy_from_slice(&fixed[12..20]);
        let mut key_id = [0u8; 4];
        key_id.copy_from_slice(&fixed[20..24]);
        let mut ring_id = vec![0u8; usize::from(fixed[24])];
        let truncated = FormatError::Truncated;
        read_exact_or(input, &mut ring_id, truncated)?;
        let ring_id =
            String::from_utf8(ring_id).map_err(|_| FormatError::BadHeader("ring id not text"))?;
        let mut salt = [0u8; SALT];
        read_exact_or(input, &mut salt, FormatError::Truncated)?;
        let mut prefix = [0u8; PREFIX];
        read_exact_or(input, &mut prefix, FormatError::Truncated)?;
        let header = Self {
            backend,
            created: i64::from_be_bytes(created),
            key_id: u32::from_be_bytes(key_id),
            ring_id,
            salt,
            prefix,
        };
        let bytes = header.to_bytes();
        Ok((header, bytes))
    }

    pub(super) fn key(&self, ring: &KeyRing) -> Result<LessSafeKey, FormatError> {
        let loaded = ring.info().ring_id;
        if loaded != self.ring_id {
            return Err(FormatError::WrongRing {
                backup: self.ring_id.clone(),
                loaded,
            });
        }
        let derived = hmac::sign(&ring.derive_key(PURPOSE), &self.salt);
        let unbound = UnboundKey::new(&AES_256_GCM, derived.as_ref())
            .map_err(|_| FormatError::BadHeader("key"))?;
        Ok(LessSafeKey::new(unbound))
    }

    pub(super) fn nonce(&self, counter: u32, last: bool) -> Nonce {
        let mut n = [0u8; 12];
        n[..PREFIX].copy_from_slice(&self.prefix);
        n[PREFIX..11].copy_from_slice(&counter.to_be_bytes());
        n[11] = u8::from(last);
        Nonce::assume_unique_for_key(n)
    }
}

fn read_exact_or(
    input: &mut impl Read,
    buf: &mut [u8],
    err: FormatError,
) -> Result<(), FormatError> {
    match input.read_exact(buf) {
        Ok(()) => Ok(()),
        Err(_) => Err(err),
    }
}
