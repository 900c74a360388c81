//! Just enough DER to show a certificate's subject and expiry on the dashboard.
//! Reads untrusted bytes: every access is bounds-checked and malformed input gives `None`.

use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    pub subject: String,
    pub not_after: NaiveDateTime,
}

/// One TLV: tag, content, and the rest after it.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        (
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            2 + count,
        )
    };
    let end = header.checked_add(len)?;
    Some((tag, input.get(header..end)?, input.get(end..)?))
}

const SEQUENCE: u8 = 0x30;
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0a];

pub fn summarise(cert: &[u8]) -> Option<CertSummary> {
    let (SEQUENCE, cert, _) = tlv(cert)? else {
        return None;
    };
    let (SEQUENCE, tbs, _) = tlv(cert)? else {
        return None;
    };
    let mut rest = tbs;
    let (tag, _, after) = tlv(rest)?;
    if tag == 0xa0 {
        rest = after; // explicit version
    }
    let (_, _, rest) = tlv(rest)?; // serial
    let (_, _, rest) = tlv(rest)?; // signature algorithm
    let (_, _, rest) = tlv(rest)?; // issuer
    let (SEQUENCE, validity, rest) = tlv(rest)? else {
        return None;
    };
    let (SEQUENCE, subject, _) = tlv(rest)? else {
        return None;
    };
    let (_, _, validity) = tlv(validity)?; // not before
    let (time_tag, not_after, _) = tlv(validity)?;
    Some(CertSummary {
        subject: subject_text(subject)?,
        not_after: parse_time(time_tag, not_after)?,
    })
}

/// "CN=…, O=…" from the RDN sequence; other attributes are left out.
fn subject_text(mut rdns: &[u8]) -> Option<String> {
    let mut parts = Vec::new();
    while !rdns.is_empty() {
        let (_, set, rest) = tlv(rdns)?;
        rdns = rest;
        let (_, attribute, _) = tlv(set)?;
        let (_, oid, value) = tlv(attribute)?;
        let (_, text, _) = tlv(value)?;
        let label = match oid {
            OID_COMMON_NAME => "CN",
            OID_ORGANIZATION => "O",
            _ => continue,
        };
        parts.push(format!("{label}={}", String::from_utf8_lossy(text)));
    }
    Some(parts.join(", "))
}

fn parse_time(tag: u8, raw: &[u8]) -> Option<NaiveDateTime> {
    let text = std::str::from_utf8(raw).ok()?;
    match tag {
        0x17 => {
            // UTCTime: two-digit years 50–99 are 19xx (RFC 5280).
            let yy: i32 = text.get(..2)?.parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            NaiveDateTime::parse_from_str(&format!("{century}{text}"), "%Y%m%d%H%M%SZ").ok()
        }
        0x18 => NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%SZ").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_subject_and_expiry_of_a_generated_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
        super::super::ensure_self_signed(&cert, &key).unwrap();
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        let der = CertificateDer::from_pem_file(&cert).unwrap();
        let summary = summarise(der.as_ref()).unwrap();
        assert!(summary.subject.starts_with("CN="), "{}", summary.subject);
        assert!(summary.not_after > chrono::Utc::now().naive_utc() + chrono::TimeDelta::days(800));
    }

    #[test]
    fn garbage_gives_none_never_a_panic() {
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let _ = summarise(&bytes);
        }
        assert!(summarise(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(summarise(&[0x30, 0x03, 0x30, 0x01]).is_none());
    }
}
