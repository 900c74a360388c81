//! Login throttling per account and per client address. Subjects are HMACs keyed from the
//! key ring, so the table reveals neither names nor addresses.

use crate::crypto::KeyRing;
use crate::db::{DbConn, DbResult, throttle};
use chrono::NaiveDateTime;
use ring::hmac;
use std::net::IpAddr;

pub(super) struct Throttle {
    account: Vec<u8>,
    address: Option<Vec<u8>>,
}

impl Throttle {
    pub(super) fn new(ring: &KeyRing, username: &str, client: Option<IpAddr>) -> Self {
        let key = ring.derive_key("login throttle");
        let subject = |s: String| hmac::sign(&key, s.as_bytes()).as_ref().to_vec();
        Self {
            account: subject(format!("account:{username}")),
            address: client.map(|ip| subject(format!("address:{}", ip.to_canonical()))),
        }
    }

    fn subjects(&self) -> impl Iterator<Item = &Vec<u8>> {
        std::iter::once(&self.account).chain(self.address.iter())
    }

    pub(super) fn blocked_until(
        &self,
        conn: &mut DbConn,
        now: NaiveDateTime,
    ) -> DbResult<Option<NaiveDateTime>> {
        let mut latest = None;
        for subject in self.subjects() {
            latest = latest.max(throttle::blocked_until(conn, subject, now)?);
        }
        Ok(latest)
    }

    pub(super) fn record_failure(&self, conn: &mut DbConn, now: NaiveDateTime) -> DbResult<()> {
        for subject in self.subjects() {
            throttle::record_failure(conn, subject, now)?;
        }
        Ok(())
    }

    /// Only the account counter resets on success: logging into one's own account must not
    /// reset the counter of an address that is guessing other accounts.
    pub(super) fn clear_account(&self, conn: &mut DbConn) -> DbResult<()> {
        throttle::clear(conn, &self.account)
    }
}
