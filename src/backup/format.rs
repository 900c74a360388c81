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

mod error;
mod header;
mod stream;

pub use error::FormatError;
pub use header::{Backend, Header};
pub use stream::{DecryptReader, EncryptWriter};

pub const MAGIC: &[u8; 8] = b"PLAUDBAK";
pub const VERSION: u8 = 1;
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const SALT: usize = 32;
const PREFIX: usize = 7;
const PURPOSE: &str = "backup archive v1";

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
