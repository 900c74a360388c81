//! Encryption at rest. Pure: no database, no I/O but the key ring file.
//!
//! Stored format of an encrypted field (bytes):
//!
//! ```text
//! key_id: u32 big-endian (4) | nonce (12) | AES-256-GCM ciphertext with 16-byte tag
//! ```
//!
//! The associated data is `plauder/v1/{table}/{column}/{row_id}`, so a ciphertext copied to
//! another row or column fails to decrypt. Blind indexes are HMAC-SHA256 over a normalised
//! value with a key derived from the ring's master secret, never with a data key, so that
//! rotating data keys keeps search working.

mod blind;
mod cipher;
mod keyring;

pub use blind::{normalise_email, normalise_username};
pub use cipher::FieldRef;
pub use keyring::{KeyRing, KeyRingInfo};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("key ring {path}: {message}")]
    KeyRing { path: String, message: String },
    #[error("ciphertext is too short or malformed")]
    Malformed,
    #[error("no key with id {0} in the key ring")]
    UnknownKey(u32),
    #[error("decryption failed: wrong key, wrong row or tampered data")]
    Decrypt,
    #[error("the system random generator failed")]
    Random,
}

/// Fills a buffer from the OS CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    use ring::rand::SecureRandom;
    let mut out = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| CryptoError::Random)?;
    Ok(out)
}

/// SHA-256 of a value, for storing token hashes.
pub fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// Constant-time comparison of secrets.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
