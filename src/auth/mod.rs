//! Staff authentication: passwords, sessions, CSRF tokens, login throttling.
//! Domain functions only; the HTTP side lives in `console/`.

pub mod password;
pub mod password_change;
pub mod recovery;
pub mod second_step;
mod session;
mod throttle;
pub mod totp;

pub use session::{LoginError, LoginOutcome, SessionInfo, Timeouts, authenticate, login, logout};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// 256 bits from the OS CSPRNG, URL-safe text.
pub fn random_token() -> Result<String, crate::crypto::CryptoError> {
    Ok(URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>()?))
}
