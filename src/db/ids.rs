//! Row ids made in Rust before the insert, so a row's id can be bound into its ciphertexts.
//! Time-ordered (milliseconds in the high bits) and not guessable in the low 20 bits.
//! Within one process ids never repeat: a group commit stores many rows in the same
//! millisecond, where 20 random bits alone collide (birthday bound) often enough to fail a
//! batch. Nodes sharing one PostgreSQL still rely on the random bits between them.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// The last id this process handed out; only ever grows.
static LAST: AtomicI64 = AtomicI64::new(0);

pub fn new_id(now: DateTime<Utc>) -> Result<i64, crate::crypto::CryptoError> {
    let millis = now.timestamp_millis().max(0);
    let random = u32::from_be_bytes(crate::crypto::random_bytes::<4>()?);
    let candidate = (millis << 20) | i64::from(random & 0xF_FFFF);
    // Past the last id by a random step, so the next id is not simply last + 1.
    let step = i64::from(random >> 20) + 1;
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let id = if candidate > last {
            candidate
        } else {
            last + step
        };
        match LAST.compare_exchange_weak(last, id, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Ok(id),
            Err(actual) => last = actual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_in_one_millisecond_never_repeat() {
        let now = Utc::now();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200_000 {
            assert!(seen.insert(new_id(now).unwrap()));
        }
    }

    #[test]
    fn ids_stay_unique_when_the_clock_goes_back() {
        let later = new_id(Utc::now() + chrono::Duration::hours(1)).unwrap();
        let earlier = new_id(Utc::now()).unwrap();
        assert!(earlier > later);
    }
}
