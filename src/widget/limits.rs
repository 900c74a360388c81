//! Flood and connection limits for visitor sockets. Addresses are never stored: the
//! per-address counter is keyed by an HMAC with a key that lives only in this process.

use ring::hmac;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Open visitor sockets one client address may hold.
pub const PER_ADDRESS: u32 = 20;

/// Token bucket: `rate` frames per second with bursts up to `burst`.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        Self {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Whether one more frame is allowed now.
    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Counts open sockets per client address; the map holds only open connections.
pub struct ConnectionLimits {
    key: hmac::Key,
    max: u32,
    open: Mutex<HashMap<[u8; 16], u32>>,
}

impl ConnectionLimits {
    pub fn new(max: u32) -> Result<Self, crate::crypto::CryptoError> {
        let secret = crate::crypto::random_bytes::<32>()?;
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            max,
            open: Mutex::new(HashMap::new()),
        })
    }

    fn slot(&self, addr: IpAddr) -> [u8; 16] {
        let tag = hmac::sign(&self.key, addr.to_canonical().to_string().as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&tag.as_ref()[..16]);
        out
    }

    /// A guard while under the limit; `None` when this address has too many sockets open.
    pub fn acquire(self: &Arc<Self>, addr: Option<IpAddr>) -> Option<ConnectionGuard> {
        let Some(addr) = addr else {
            return Some(ConnectionGuard {
                limits: self.clone(),
                slot: None,
            });
        };
        let slot = self.slot(addr);
        let mut open = self.open.lock().ok()?;
        let count = open.entry(slot).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(ConnectionGuard {
            limits: self.clone(),
            slot: Some(slot),
        })
    }

    pub fn tracked_addresses(&self) -> usize {
        self.open.lock().map(|m| m.len()).unwrap_or(0)
    }
}

pub struct ConnectionGuard {
    limits: Arc<ConnectionLimits>,
    slot: Option<[u8; 16]>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let Some(slot) = self.slot else { return };
        if let Ok(mut open) = self.limits.open.lock() {
            if let Some(count) = open.get_mut(&slot) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&slot);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_limit_frees_slots_on_drop() {
        let limits = Arc::new(ConnectionLimits::new(2).unwrap());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let g1 = limits.acquire(Some(a)).unwrap();
        let _g2 = limits.acquire(Some(a)).unwrap();
        assert!(limits.acquire(Some(a)).is_none());
        assert!(limits.acquire(Some("192.0.2.2".parse().unwrap())).is_some());
        drop(g1);
        assert!(limits.acquire(Some(a)).is_some());
        assert_eq!(
            limits.tracked_addresses(),
            1,
            "released addresses leave the map"
        );
    }

    #[test]
    fn rate_limiter_allows_a_burst_then_refuses() {
        let mut r = RateLimiter::new(10.0, 10.0);
        assert!((0..10).all(|_| r.allow()));
        assert!(!r.allow());
    }
}
