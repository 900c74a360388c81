//! The chain's MACs: HMAC-SHA256, keyed from the key ring under its own derivation label,
//! over a canonical encoding of an entry's content and the previous entry's MAC. Pure: no
//! database. A change of any stored field, of the order or of the anchor changes a MAC.

use crate::crypto::KeyRing;
use crate::db::audit::{Anchor, Row};
use chrono::NaiveDateTime;
use ring::hmac;

/// What the first entry of a chain without an anchor follows.
pub const GENESIS: [u8; 32] = [0; 32];

/// The derivation label; never reused for another purpose (blind indexes have their own).
const LABEL: &str = "audit log chain";

/// The MAC key of the chain, derived from the key ring's master secret (not a data key, so
/// rotating data keys keeps old entries verifiable).
pub struct ChainKey(hmac::Key);

impl ChainKey {
    pub fn new(ring: &KeyRing) -> Self {
        Self(ring.derive_key(LABEL))
    }

    /// The MAC of a row's content (everything but its own `mac`) following `prev`.
    pub fn entry_mac(&self, row: &Row, prev: &[u8]) -> Vec<u8> {
        let mut out = Encoder(Vec::with_capacity(160));
        out.bytes(b"plauder audit entry v1");
        out.i64(row.seq);
        out.i64(micros(row.at));
        out.str(&row.actor);
        out.opt_i64(row.actor_id);
        out.str(&row.action);
        out.str(&row.object_type);
        out.opt_i64(row.object_id);
        out.str(&row.outcome);
        out.opt_str(row.reason.as_deref());
        // Only when present, so entries from before the column keep their MAC. Still
        // unambiguous: the tag's length prefix (6) differs from the previous MAC's (32).
        if let Some(detail) = &row.detail {
            out.str("detail");
            out.str(detail);
        }
        out.bytes(prev);
        hmac::sign(&self.0, &out.0).as_ref().to_vec()
    }

    /// The MAC that pins an anchor: the last pruned entry's seq and MAC, and when.
    pub fn anchor_mac(&self, seq: i64, mac: &[u8], pruned_at: NaiveDateTime) -> Vec<u8> {
        let mut out = Encoder(Vec::with_capacity(80));
        out.bytes(b"plauder audit anchor v1");
        out.i64(seq);
        out.bytes(mac);
        out.i64(micros(pruned_at));
        hmac::sign(&self.0, &out.0).as_ref().to_vec()
    }

    pub fn entry_is_valid(&self, row: &Row, prev: &[u8]) -> bool {
        crate::crypto::same_secret(&self.entry_mac(row, prev), &row.mac)
    }

    pub fn anchor_is_valid(&self, anchor: &Anchor) -> bool {
        crate::crypto::same_secret(
            &self.anchor_mac(anchor.seq, &anchor.mac, anchor.pruned_at),
            &anchor.anchor_mac,
        )
    }
}

/// Microseconds since the epoch: PostgreSQL keeps microseconds, so stored times are cut to
/// them before the MAC is made (`truncate`), and both backends read back the same value.
pub fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

pub fn truncate(t: NaiveDateTime) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_micros(micros(t))
        .map(|d| d.naive_utc())
        .unwrap_or(t)
}

/// Length-prefixed fields, so that no two different entries encode alike.
struct Encoder(Vec<u8>);

impl Encoder {
    fn bytes(&mut self, b: &[u8]) {
        self.0
            .extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
        self.0.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }

    fn opt_i64(&mut self, v: Option<i64>) {
        match v {
            Some(v) => {
                self.0.push(1);
                self.i64(v);
            }
            None => self.0.push(0),
        }
    }

    fn opt_str(&mut self, v: Option<&str>) {
        match v {
            Some(v) => {
                self.0.push(1);
                self.str(v);
            }
            None => self.0.push(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64) -> Row {
        Row {
            seq,
            at: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_789)
                .unwrap()
                .naive_utc(),
            actor: "staff".into(),
            actor_id: Some(5),
            action: "conversation_viewed".into(),
            object_type: "conversation".into(),
            object_id: Some(9),
            outcome: "ok".into(),
            reason: None,
            mac: vec![],
            detail: None,
        }
    }

    #[test]
    fn every_field_and_the_previous_mac_count() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::create(&dir.path().join("k"), "t").unwrap();
        let key = ChainKey::new(&ring);
        let base = key.entry_mac(&row(1), &GENESIS);
        let changes: [fn(&mut Row); 11] = [
            |r| r.seq = 2,
            |r| r.at += chrono::TimeDelta::microseconds(1),
            |r| r.actor = "system".into(),
            |r| r.actor_id = None,
            |r| r.action = "login".into(),
            |r| r.object_type = "contact".into(),
            |r| r.object_id = Some(10),
            |r| r.outcome = "denied".into(),
            |r| r.reason = Some(String::new()),
            |r| r.detail = Some(String::new()),
            |r| r.detail = Some("email".into()),
        ];
        for change in changes {
            let mut r = row(1);
            change(&mut r);
            assert_ne!(key.entry_mac(&r, &GENESIS), base);
        }
        assert_ne!(key.entry_mac(&row(1), &[1; 32]), base);
        // Moving bytes between adjacent strings changes the encoding too.
        let mut a = row(1);
        a.actor = "staf".into();
        a.action = "fconversation_viewed".into();
        assert_ne!(key.entry_mac(&a, &GENESIS), base);
        let other = KeyRing::create(&dir.path().join("k2"), "t").unwrap();
        assert_ne!(ChainKey::new(&other).entry_mac(&row(1), &GENESIS), base);
        // Its own key: not the blind-index key.
        let probe = |k: &hmac::Key| hmac::sign(k, b"probe").as_ref().to_vec();
        assert_ne!(
            probe(&ring.derive_key(LABEL)),
            probe(&ring.derive_key("blind index"))
        );
    }

    #[test]
    fn times_are_cut_to_microseconds() {
        let t = row(1).at;
        assert_eq!(truncate(t).and_utc().timestamp_subsec_nanos(), 123_456_000);
        assert_eq!(micros(truncate(t)), micros(t));
    }
}
