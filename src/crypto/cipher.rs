//! Sealing and opening single fields with the key ring.

use super::{CryptoError, KeyRing};
use ring::aead::{Aad, NONCE_LEN, Nonce};

const KEY_ID_LEN: usize = 4;
const TAG_LEN: usize = 16;

/// Where a ciphertext lives; bound into it as associated data.
#[derive(Debug, Clone, Copy)]
pub struct FieldRef<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: i64,
}

impl FieldRef<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("plauder/v1/{}/{}/{}", self.table, self.column, self.row_id).into_bytes()
    }
}

impl KeyRing {
    /// Encrypts with the active key and a fresh random nonce.
    pub fn seal(&self, field: FieldRef<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key_id = self.active_key_id();
        let key = self
            .keys
            .get(&key_id)
            .ok_or(CryptoError::UnknownKey(key_id))?;
        let nonce_bytes = super::random_bytes::<NONCE_LEN>()?;
        let mut in_out = plaintext.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(field.aad()),
            &mut in_out,
        )
        .map_err(|_| CryptoError::Decrypt)?;
        let mut out = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + in_out.len());
        out.extend_from_slice(&key_id.to_be_bytes());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    /// Decrypts; fails for a wrong row, a tampered byte or an unknown key.
    pub fn open(&self, field: FieldRef<'_>, stored: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if stored.len() < KEY_ID_LEN + NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Malformed);
        }
        let (id_bytes, rest) = stored.split_at(KEY_ID_LEN);
        let (nonce_bytes, ciphertext) = rest.split_at(NONCE_LEN);
        let key_id = u32::from_be_bytes(id_bytes.try_into().map_err(|_| CryptoError::Malformed)?);
        let key = self
            .keys
            .get(&key_id)
            .ok_or(CryptoError::UnknownKey(key_id))?;
        let nonce =
            Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| CryptoError::Malformed)?;
        let mut in_out = ciphertext.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(field.aad()), &mut in_out)
            .map_err(|_| CryptoError::Decrypt)?;
        Ok(plain.to_vec())
    }

    pub fn seal_str(&self, field: FieldRef<'_>, text: &str) -> Result<Vec<u8>, CryptoError> {
        self.seal(field, text.as_bytes())
    }

    pub fn open_str(&self, field: FieldRef<'_>, stored: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(field, stored)?).map_err(|_| CryptoError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> (tempfile::TempDir, KeyRing) {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::create(&dir.path().join("k.toml"), "now").unwrap();
        (dir, ring)
    }

    const ROW: FieldRef<'static> = FieldRef {
        table: "staff",
        column: "email",
        row_id: 7,
    };

    #[test]
    fn round_trip() {
        let (_d, ring) = ring();
        let sealed = ring.seal_str(ROW, "anna@example.de").unwrap();
        assert_eq!(ring.open_str(ROW, &sealed).unwrap(), "anna@example.de");
        assert!(!sealed.windows(4).any(|w| w == b"anna"));
    }

    #[test]
    fn tampered_ciphertext_is_rejected() {
        let (_d, ring) = ring();
        let mut sealed = ring.seal_str(ROW, "anna@example.de").unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(ring.open(ROW, &sealed), Err(CryptoError::Decrypt)));
        sealed[last] ^= 1;
        sealed[20] ^= 0x80;
        assert!(matches!(ring.open(ROW, &sealed), Err(CryptoError::Decrypt)));
        assert!(matches!(
            ring.open(ROW, &sealed[..10]),
            Err(CryptoError::Malformed)
        ));
    }

    #[test]
    fn ciphertext_moved_to_another_row_is_rejected() {
        let (_d, ring) = ring();
        let sealed = ring.seal_str(ROW, "anna@example.de").unwrap();
        let other_row = FieldRef { row_id: 8, ..ROW };
        let other_column = FieldRef {
            column: "name",
            ..ROW
        };
        assert!(matches!(
            ring.open(other_row, &sealed),
            Err(CryptoError::Decrypt)
        ));
        assert!(matches!(
            ring.open(other_column, &sealed),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        let before = KeyRing::create(&path, "t0").unwrap();
        let old = before.seal_str(ROW, "alt").unwrap();
        assert_eq!(KeyRing::rotate(&path, "t1").unwrap(), 2);
        let after = KeyRing::load(&path).unwrap();
        let new = after.seal_str(ROW, "neu").unwrap();
        assert_eq!(&new[..4], &2u32.to_be_bytes());
        assert_eq!(after.open_str(ROW, &old).unwrap(), "alt");
        assert_eq!(
            after.blind_index("email", "a@b.de"),
            before.blind_index("email", "a@b.de")
        );
    }

    #[test]
    fn ring_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        KeyRing::create(&path, "t0").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = KeyRing::load(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }
}
