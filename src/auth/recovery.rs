//! Single-use recovery codes for a lost authenticator: ten per account, shown once, stored
//! only as an HMAC keyed from the key ring with the staff id bound in (so a hash copied to
//! another account matches nothing). Pure: no database. Never logs a code.

use crate::crypto::{CryptoError, KeyRing};
use crate::db::staff::StaffId;
use ring::hmac;

pub const COUNT: usize = 10;
/// Ten characters of a 31-letter alphabet: 49 bits, far beyond online guessing under the
/// login throttle.
const LEN: usize = 10;
/// No 0/o, 1/l/i: codes are read off paper.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Codes as shown to the user, e.g. `k7mqz-4tp9w`.
pub fn generate() -> Result<Vec<String>, CryptoError> {
    let mut codes = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let mut code = String::with_capacity(LEN + 1);
        // Rejection sampling keeps every letter equally likely (31 letters, 5 random bits).
        while code.len() < LEN + 1 {
            for b in crate::crypto::random_bytes::<16>()? {
                let i = usize::from(b & 0x1f);
                if i < ALPHABET.len() && code.len() < LEN + 1 {
                    if code.len() == LEN / 2 {
                        code.push('-');
                    }
                    code.push(char::from(ALPHABET[i]));
                }
            }
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// What the user typed, reduced to the code's letters (case, spaces and dashes ignored).
/// None if it cannot be a recovery code.
pub fn normalise(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (letters.len() == LEN && letters.bytes().all(|b| ALPHABET.contains(&b))).then_some(letters)
}

/// The stored form of a (normalised or displayed) code for one account.
pub fn hash(ring: &KeyRing, staff: StaffId, code: &str) -> Option<Vec<u8>> {
    let letters = normalise(code)?;
    let key = ring.derive_key("recovery codes");
    let input = format!("{}:{letters}", staff.0);
    Some(hmac::sign(&key, input.as_bytes()).as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ten_distinct_well_formed_codes() {
        let codes = generate().unwrap();
        assert_eq!(codes.len(), COUNT);
        for c in &codes {
            assert_eq!(c.len(), LEN + 1, "{c}");
            assert_eq!(c.as_bytes()[LEN / 2], b'-');
            assert!(normalise(c).is_some(), "{c}");
        }
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), COUNT);
    }

    #[test]
    fn typing_variations_normalise_to_the_same_code() {
        assert_eq!(normalise(" ABCDE-fghjk ").as_deref(), Some("abcdefghjk"));
        assert_eq!(normalise("abcde fghjk").as_deref(), Some("abcdefghjk"));
        assert_eq!(normalise("abcde-fghj"), None);
        assert_eq!(normalise("abcde-fghj0"), None, "0 is not in the alphabet");
        assert_eq!(
            normalise("123456"),
            None,
            "a TOTP code is not a recovery code"
        );
    }
}
