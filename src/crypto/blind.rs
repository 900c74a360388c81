//! Blind indexes: keyed hashes of normalised values for exact-match search over encrypted data.

use super::KeyRing;
use ring::hmac;

impl KeyRing {
    /// A 256-bit key for one purpose, derived from the master secret.
    pub fn derive_key(&self, purpose: &str) -> hmac::Key {
        let master = hmac::Key::new(hmac::HMAC_SHA256, &self.master);
        let derived = hmac::sign(&master, format!("plauder derive v1: {purpose}").as_bytes());
        hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref())
    }

    /// HMAC-SHA256 of an already normalised value; `kind` keeps the domains apart.
    pub fn blind_index(&self, kind: &str, normalised: &str) -> Vec<u8> {
        let key = self.derive_key("blind index");
        let mut input = Vec::with_capacity(kind.len() + 1 + normalised.len());
        input.extend_from_slice(kind.as_bytes());
        input.push(0);
        input.extend_from_slice(normalised.as_bytes());
        hmac::sign(&key, &input).as_ref().to_vec()
    }
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn normalise_username(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_stable_and_case_insensitive_for_email() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::create(&dir.path().join("k"), "t").unwrap();
        let a = ring.blind_index("email", &normalise_email(" Anna@Example.DE "));
        let b = ring.blind_index("email", &normalise_email("anna@example.de"));
        assert_eq!(a, b);
        assert_ne!(a, ring.blind_index("phone", "anna@example.de"));
        let other = KeyRing::create(&dir.path().join("k2"), "t").unwrap();
        assert_ne!(a, other.blind_index("email", "anna@example.de"));
    }
}
