//! The encrypted archive: a plaintext header, then the compressed payload sealed with
//! AES-256-GCM in 64 KiB chunks (the STREAM construction of Hoang, Reyhanitabar, Rogaway
//! and Vizár), so a backup is written and read in constant memory and a flipped, dropped,
//! reordered or appended byte anywhere is refused.
//!
//! Byte format, version 1 (integers big-endian):
//!
//! ```text
//! header:
//!   magic        8   "PLAUDBAK"
//!   version      1   1
//!   backend      1   1 = SQLite (a `VACUUM INTO` image), 2 = PostgreSQL (`pg_dump -Fc`)
//!   compression  1   1 = zlib (RFC 1950, deflate)
//!   flags        1   0
//!   created      8   i64, Unix seconds (UTC)
//!   key_id       4   u32, the ring's active data key at creation (informational)
//!   ring_id_len  1   n
//!   ring_id      n   ASCII id of the key ring that made the backup
//!   salt        32   random per backup
//!   nonce_prefix 7   random per backup
//! body: chunks until the end of the file
//!   chunk i      AES-256-GCM(plaintext_i) || tag (16); plaintext_i is 65,536 bytes, only
//!                the last one is shorter (possibly empty)
//!   nonce_i      nonce_prefix (7) || i as u32 (4) || last (1: 0x01 on the final chunk, else 0x00)
//!   aad          the whole header, so no header byte can change either
//!   key          HMAC-SHA256(K, salt), K = the ring's `derive_key("backup archive v1")`,
//!                derived from the master secret (which `keys rotate` never changes, so a
//!                rotation leaves old backups readable)
//! ```
//!
//! A file cut at a chunk boundary ends in a chunk sealed as "not last", which fails to open
//! as the last one; an appended chunk fails with the counter after the last.

use crate::crypto::KeyRing;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;
use std::io::{self, Read, Write};

pub const MAGIC: &[u8; 8] = b"PLAUDBAK";
pub const VERSION: u8 = 1;
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const SALT: usize = 32;
const PREFIX: usize = 7;
const PURPOSE: &str = "backup archive v1";

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

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a plauder backup (no PLAUDBAK header)")]
    NotABackup,
    #[error("backup format version {0} is not supported by this plauder")]
    Version(u8),
    #[error("the header is damaged: {0}")]
    BadHeader(&'static str),
    #[error(
        "the backup was made with key ring {backup}, but the loaded key ring is {loaded}: import the right one with `plauder keys import`"
    )]
    WrongRing { backup: String, loaded: String },
    #[error(
        "the backup is damaged or was altered: chunk {0} does not authenticate (a changed, missing or added byte)"
    )]
    Chunk(u32),
    #[error("the backup is truncated: it ends before its last chunk")]
    Truncated,
    #[error("the backup is too large (more than 2^32 chunks)")]
    TooLarge,
    #[error("the system random generator failed")]
    Random,
}

impl From<FormatError> for io::Error {
    fn from(e: FormatError) -> Self {
        io::Error::other(e)
    }
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

    fn key(&self, ring: &KeyRing) -> Result<LessSafeKey, FormatError> {
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

    fn nonce(&self, counter: u32, last: bool) -> Nonce {
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

/// Seals everything written to it; call `finish` to seal the last chunk.
pub struct EncryptWriter<W: Write> {
    out: W,
    header: Header,
    aad: Vec<u8>,
    key: LessSafeKey,
    buf: Vec<u8>,
    counter: u32,
}

impl<W: Write> EncryptWriter<W> {
    /// Writes the header at once.
    pub fn new(mut out: W, header: Header, ring: &KeyRing) -> io::Result<Self> {
        let key = header.key(ring)?;
        let aad = header.to_bytes();
        out.write_all(&aad)?;
        Ok(Self {
            out,
            header,
            aad,
            key,
            buf: Vec::with_capacity(CHUNK + TAG),
            counter: 0,
        })
    }

    fn seal(&mut self, last: bool) -> io::Result<()> {
        let nonce = self.header.nonce(self.counter, last);
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::from(&self.aad), &mut self.buf)
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.out.write_all(&self.buf)?;
        self.out.write_all(tag.as_ref())?;
        self.buf.clear();
        self.counter = self.counter.checked_add(1).ok_or(FormatError::TooLarge)?;
        Ok(())
    }

    /// Seals the last chunk and returns the inner writer (not yet synced).
    pub fn finish(mut self) -> io::Result<W> {
        self.seal(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data arrives: until then it may be the last.
        if self.buf.len() == CHUNK {
            self.seal(false)?;
        }
        let take = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..take]);
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Opens the chunks of an archive whose header was read; fails on the first bad chunk and
/// when the input ends before a chunk sealed as the last.
pub struct DecryptReader<R: Read> {
    input: R,
    header: Header,
    aad: Vec<u8>,
    key: LessSafeKey,
    plain: Vec<u8>,
    pos: usize,
    counter: u32,
    done: bool,
    peeked: Option<u8>,
}

impl<R: Read> DecryptReader<R> {
    pub fn new(mut input: R, ring: &KeyRing) -> Result<(Self, Header), FormatError> {
        let (header, aad) = Header::read(&mut input)?;
        let key = header.key(ring)?;
        Ok((
            Self {
                input,
                header: header.clone(),
                aad,
                key,
                plain: Vec::with_capacity(CHUNK + TAG),
                pos: 0,
                counter: 0,
                done: false,
                peeked: None,
            },
            header,
        ))
    }

    /// Reads (and authenticates) to the end; `Ok` only when the last chunk was seen.
    pub fn drain(&mut self) -> io::Result<()> {
        io::copy(self, &mut io::sink())?;
        if self.done {
            Ok(())
        } else {
            Err(FormatError::Truncated.into())
        }
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let mut buf = vec![0u8; CHUNK + TAG];
        let mut filled = 0;
        if let Some(b) = self.peeked.take() {
            buf[0] = b;
            filled = 1;
        }
        while filled < buf.len() {
            match self.input.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let last = if filled < buf.len() {
            true
        } else {
            let mut one = [0u8; 1];
            loop {
                match self.input.read(&mut one) {
                    Ok(0) => break true,
                    Ok(_) => {
                        self.peeked = Some(one[0]);
                        break false;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        };
        if filled < TAG {
            return Err(FormatError::Truncated.into());
        }
        buf.truncate(filled);
        let nonce = self.header.nonce(self.counter, last);
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(&self.aad), &mut buf)
            .map_err(|_| FormatError::Chunk(self.counter))?
            .len();
        buf.truncate(plain_len);
        self.plain = buf;
        self.pos = 0;
        self.counter = self.counter.checked_add(1).ok_or(FormatError::TooLarge)?;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
