//! Row ids made in Rust before the insert, so a row's id can be bound into its ciphertexts.
//! Time-ordered (milliseconds in the high bits) and not guessable in the low 20 bits.

use chrono::{DateTime, Utc};

pub fn new_id(now: DateTime<Utc>) -> Result<i64, crate::crypto::CryptoError> {
    let millis = now.timestamp_millis().max(0);
    let random = u32::from_be_bytes(crate::crypto::random_bytes::<4>()?) & 0xF_FFFF;
    Ok((millis << 20) | i64::from(random))
}
