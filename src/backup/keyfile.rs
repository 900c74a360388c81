//! `keys export` / `keys import`: the key ring file sealed under a passphrase, so a copy can
//! be kept apart from the backups (which are useless without it).
//!
//! Byte format, version 1 (integers big-endian):
//!
//! ```text
//! magic "PLAUDKEY" (8) | version 1 (1) | kdf 1 = Argon2id v0x13 (1)
//! | m_cost KiB u32 (4) | t_cost u32 (4) | p_cost u32 (4) | salt (16) | nonce (12)
//! | AES-256-GCM(key ring file text) with tag (16)
//! key = Argon2id(passphrase, salt, m_cost, t_cost, p_cost, 32 bytes); aad = everything
//! before the ciphertext, so the parameters cannot be lowered unnoticed.
//! ```

use super::BackupError;
use argon2::{Algorithm, Argon2, Params, Version};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

const MAGIC: &[u8; 8] = b"PLAUDKEY";
pub const MIN_PASSPHRASE: usize = 12;
/// 64 MiB, 3 passes: about half a second here; the file is opened rarely.
const M_COST: u32 = 64 * 1024;
const T_COST: u32 = 3;
const P_COST: u32 = 1;
const HEADER: usize = 8 + 1 + 1 + 12 + 16 + 12;
/// Refuse parameters that would take minutes or gigabytes to try (a hostile file).
const MAX_M_COST: u32 = 1024 * 1024;
const MAX_T_COST: u32 = 64;

fn key(passphrase: &str, salt: &[u8], m: u32, t: u32, p: u32) -> Result<LessSafeKey, BackupError> {
    let params = Params::new(m, t, p, Some(32))
        .map_err(|e| BackupError::Io(format!("key file parameters: {e}")))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|e| BackupError::Io(format!("cannot derive the key: {e}")))?;
    let unbound = UnboundKey::new(&AES_256_GCM, &out)
        .map_err(|_| BackupError::Io("cannot use the derived key".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// Seals the key ring file's text under the passphrase.
pub fn seal(ring_text: &[u8], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(BackupError::Refused(format!(
            "the passphrase must have at least {MIN_PASSPHRASE} characters"
        )));
    }
    let random = || BackupError::Io("the system random generator failed".into());
    let salt: [u8; 16] = crate::crypto::random_bytes().map_err(|_| random())?;
    let nonce: [u8; 12] = crate::crypto::random_bytes().map_err(|_| random())?;
    let mut out = Vec::with_capacity(HEADER + ring_text.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 1]);
    for v in [M_COST, T_COST, P_COST] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    let key = key(passphrase, &salt, M_COST, T_COST, P_COST)?;
    let mut body = ring_text.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(&out[..HEADER]),
        &mut body,
    )
    .map_err(|_| BackupError::Io("encryption failed".into()))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Opens a key file; a wrong passphrase and a changed byte look the same, and say so.
pub fn open(data: &[u8], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    if data.len() < HEADER + 16 || &data[..8] != MAGIC {
        return Err(BackupError::Refused("not a plauder key ring export".into()));
    }
    if data[8] != 1 || data[9] != 1 {
        return Err(BackupError::Refused(format!(
            "key file version {} is not supported",
            data[8]
        )));
    }
    let word = |i: usize| u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let (m, t, p) = (word(10), word(14), word(18));
    if m > MAX_M_COST || t > MAX_T_COST || p > 16 {
        return Err(BackupError::Refused(
            "key file parameters out of range".into(),
        ));
    }
    let salt = &data[22..38];
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&data[38..50]);
    let key = key(passphrase, salt, m, t, p)?;
    let mut body = data[HEADER..].to_vec();
    let plain = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&data[..HEADER]),
            &mut body,
        )
        .map_err(|_| {
            BackupError::Refused("wrong passphrase, or the key file was altered".into())
        })?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let sealed = seal(b"ring text", "correct horse battery").unwrap();
        assert_eq!(
            open(&sealed, "correct horse battery").unwrap(),
            b"ring text"
        );
        assert!(open(&sealed, "correct horse batterY").is_err());
        assert!(seal(b"x", "too short").is_err());
        let mut bad = sealed.clone();
        bad[12] ^= 1; // lowers m_cost: refused as altered, not silently weaker
        assert!(open(&bad, "correct horse battery").is_err());
    }
}
