//! TOTP second factor (RFC 6238): new secrets, the `otpauth://` URI, code checks that
//! refuse a replayed step, and the URI as an SVG QR code drawn here (no outside service,
//! no image library). Pure: no database; storing the secret and the last step is `db`'s job.
//! Never logs a secret or a code.

use totp_rs::{Algorithm, Builder, Secret, Totp};

/// What every authenticator app understands: SHA-1, 6 digits, 30-second steps.
pub const DIGITS: u8 = 6;
pub const STEP_SECS: u64 = 30;
/// One step either side for clocks that drift and codes typed near a step's end.
const SKEW: u16 = 1;
/// 160 bits, as RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "plauder";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TotpError {
    #[error("the code is not valid now")]
    Invalid,
    /// The code matched a step that was already used (or an earlier one): a replay.
    #[error("the code was used already")]
    Replayed,
    #[error("the secret is malformed")]
    BadSecret,
}

fn totp(secret: &[u8], account: &str) -> Result<Totp, TotpError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECS)
        .with_secret(Secret::from(secret.to_vec()))
        // A colon would end the label early; user names are checked, but be safe.
        .with_account_name(account.replace(':', "_"))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|_| TotpError::BadSecret)
}

/// A fresh secret from the OS random generator.
pub fn new_secret() -> Result<Vec<u8>, crate::crypto::CryptoError> {
    Ok(crate::crypto::random_bytes::<SECRET_LEN>()?.to_vec())
}

/// The secret as people type it into an app: Base32 in groups of four.
pub fn secret_for_display(secret: &[u8]) -> String {
    let encoded = Secret::from(secret.to_vec()).to_base32();
    encoded
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `otpauth://totp/plauder:NAME?secret=…&issuer=plauder` for the QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> Result<String, TotpError> {
    totp(secret, account)?
        .to_url()
        .map_err(|_| TotpError::BadSecret)
}

/// The time step a Unix time falls into.
pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// Checks a typed code at `unix_secs`; returns the step it matched. A step at or before
/// `last_used` is refused, so a code seen once (shoulder, log, proxy) cannot be used again.
pub fn check(
    secret: &[u8],
    code: &str,
    unix_secs: u64,
    last_used: Option<u64>,
) -> Result<u64, TotpError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpError::Invalid);
    }
    let totp = totp(secret, "check")?;
    let step = totp.check(&code, unix_secs).ok_or(TotpError::Invalid)?;
    match last_used {
        Some(last) if step <= last => Err(TotpError::Replayed),
        _ => Ok(step),
    }
}

/// The code of a given time; for tests and for nothing else in the server.
pub fn code_at(secret: &[u8], unix_secs: u64) -> Result<String, TotpError> {
    Ok(totp(secret, "check")?.generate(unix_secs).to_string())
}

/// The text as an SVG QR code: one `<path>` of dark modules, a quiet zone of four modules,
/// fill by attribute (the admin CSP forbids inline styles). Medium error correction.
pub fn qr_svg(text: &str) -> Result<String, TotpError> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|_| TotpError::BadSecret)?;
    let size = qr.size();
    let border = 4;
    let total = size + 2 * border;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total} {total}\" \
         shape-rendering=\"crispEdges\" role=\"img\" class=\"qr\">\
         <rect width=\"{total}\" height=\"{total}\" fill=\"#ffffff\"/>\
         <path d=\"{path}\" fill=\"#000000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 6238 appendix B: (time, SHA-1, SHA-256, SHA-512), 8 digits.
    const VECTORS: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];

    fn rfc(algorithm: Algorithm, seed: &[u8]) -> Totp {
        Builder::new()
            .with_algorithm(algorithm)
            .with_digits(8)
            .with_secret(Secret::from(seed.to_vec()))
            .build()
            .unwrap()
    }

    #[test]
    fn rfc6238_vectors() {
        let sha1 = rfc(Algorithm::SHA1, b"12345678901234567890");
        let sha256 = rfc(Algorithm::SHA256, b"12345678901234567890123456789012");
        let sha512 = rfc(
            Algorithm::SHA512,
            b"1234567890123456789012345678901234567890123456789012345678901234",
        );
        for (t, a, b, c) in VECTORS {
            assert_eq!(sha1.generate(t).to_string(), a, "SHA-1 at {t}");
            assert_eq!(sha256.generate(t).to_string(), b, "SHA-256 at {t}");
            assert_eq!(sha512.generate(t).to_string(), c, "SHA-512 at {t}");
        }
    }

    #[test]
    fn our_six_digit_codes_are_the_rfc_codes_truncated() {
        // A 6-digit HOTP value is the 8-digit one modulo 10^6 (RFC 4226 §5.3).
        let secret = b"12345678901234567890";
        for (t, eight, _, _) in VECTORS {
            assert_eq!(code_at(secret, t).unwrap(), eight[2..], "at {t}");
        }
    }

    #[test]
    fn check_accepts_one_step_of_skew_and_refuses_replay() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = code_at(secret, t).unwrap();
        let step = check(secret, &code, t, None).unwrap();
        assert_eq!(step, step_of(t));
        assert_eq!(
            check(secret, &code, t + 30, None),
            Ok(step),
            "one step late"
        );
        assert_eq!(check(secret, &code, t + 60, None), Err(TotpError::Invalid));
        assert_eq!(
            check(secret, &code, t, Some(step)),
            Err(TotpError::Replayed)
        );
        let next = code_at(secret, t + 30).unwrap();
        assert_eq!(check(secret, &next, t + 30, Some(step)), Ok(step + 1));
        // An older code is refused once a newer one was used.
        assert_eq!(
            check(secret, &code, t + 30, Some(step + 1)),
            Err(TotpError::Replayed)
        );
    }

    #[test]
    fn malformed_codes_are_invalid_without_panicking() {
        let secret = b"12345678901234567890";
        for bad in [
            "",
            "12345",
            "1234567",
            "abcdef",
            "12345\u{664}",
            "99999999999999999999",
        ] {
            assert_eq!(
                check(secret, bad, 59, None),
                Err(TotpError::Invalid),
                "{bad}"
            );
        }
        let code = code_at(secret, 59).unwrap();
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(check(secret, &spaced, 59, None).is_ok(), "spaces are fine");
    }

    #[test]
    fn uri_and_qr() {
        let secret = [7u8; SECRET_LEN];
        let uri = otpauth_uri(&secret, "anna").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/plauder:anna?secret="),
            "{uri}"
        );
        assert!(uri.contains("issuer=plauder"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            !svg.contains("style"),
            "no inline style under the admin CSP"
        );
        assert_eq!(secret_for_display(&secret).replace(' ', "").len(), 32);
    }
}
