//! Password hashing (argon2id, parameters in the PHC string) and the password policy.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;
const COMMON: &str = include_str!("common-passwords.txt");

/// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Result<Argon2<'static>, argon2::Error> {
    Ok(Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 2, 1, None)?,
    ))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("the password must have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password is one of the most common passwords")]
    Common,
    #[error("the password must not contain the user name")]
    ContainsName,
}

/// What the i18n files call each policy failure.
impl PolicyError {
    pub fn i18n_key(&self) -> &'static str {
        match self {
            Self::TooShort => "password.too_short",
            Self::Common => "password.common",
            Self::ContainsName => "password.contains_name",
        }
    }
}

pub fn check_policy(password: &str, username: &str) -> Result<(), PolicyError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PolicyError::TooShort);
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|common| common == lower) {
        return Err(PolicyError::Common);
    }
    if username.chars().count() >= 3 && lower.contains(&username.to_lowercase()) {
        return Err(PolicyError::ContainsName);
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let hasher = hasher().map_err(argon2::password_hash::Error::from)?;
    Ok(hasher
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Verifies against the parameters stored in the hash, so they can be raised later.
pub fn verify(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Burns the same time as a real verification, for unknown user names.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("plauder-dummy-password").unwrap_or_default());
    let _ = verify(dummy, password);
}

/// A random password people can type: 20 characters without look-alikes (~110 bits).
pub fn generate() -> Result<String, crate::crypto::CryptoError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = crate::crypto::random_bytes::<20>()?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_policy("short", "x"), Err(PolicyError::TooShort));
        assert_eq!(check_policy("123QWEasdzxc", "x"), Err(PolicyError::Common));
        assert_eq!(check_policy("1qaz2wsx3edc", "x"), Err(PolicyError::Common));
        assert_eq!(
            check_policy("anna-loves-tea-99", "anna"),
            Err(PolicyError::ContainsName)
        );
        assert_eq!(check_policy("Kaffee-Tasse-Mond-7", "anna"), Ok(()));
        assert_eq!(COMMON.lines().count(), 10_000);
    }

    #[test]
    fn hash_uses_owasp_parameters_and_verifies() {
        let h = hash("Kaffee-Tasse-Mond-7").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&h, "Kaffee-Tasse-Mond-7"));
        assert!(!verify(&h, "Kaffee-Tasse-Mond-8"));
        assert!(!verify("garbage", "x"));
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        let p = generate().unwrap();
        assert_eq!(p.len(), 20);
        assert!(check_policy(&p, "admin").is_ok());
    }
}
