//! The stream format: round trips at chunk edges; flips, cuts, reorders and another ring refused.

use super::*;
use crate::crypto::KeyRing;
use std::io::{self, Read, Write};

fn ring() -> (tempfile::TempDir, KeyRing) {
    let dir = tempfile::tempdir().unwrap();
    let ring = KeyRing::create(&dir.path().join("k.toml"), "t").unwrap();
    (dir, ring)
}

fn seal(ring: &KeyRing, data: &[u8]) -> Vec<u8> {
    let header = Header::new(Backend::Sqlite, 1_700_000_000, ring).unwrap();
    let mut w = EncryptWriter::new(Vec::new(), header, ring).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

fn open(ring: &KeyRing, sealed: &[u8]) -> io::Result<Vec<u8>> {
    let (mut r, _) = DecryptReader::new(sealed, ring).map_err(io::Error::from)?;
    let mut out = Vec::new();
    r.read_to_end(&mut out)?;
    r.drain()?;
    Ok(out)
}

#[test]
fn round_trips_at_every_chunk_edge() {
    let (_d, ring) = ring();
    for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7] {
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let sealed = seal(&ring, &data);
        assert_eq!(open(&ring, &sealed).unwrap(), data, "len {len}");
    }
}

#[test]
fn any_flipped_byte_or_cut_is_refused() {
    let (_d, ring) = ring();
    let data: Vec<u8> = (0..2 * CHUNK + 100).map(|i| (i % 13) as u8).collect();
    let sealed = seal(&ring, &data);
    let header_len = Header::read(&mut &sealed[..]).unwrap().1.len();
    for at in [
        0,
        9,
        14,
        30,
        header_len,
        header_len + CHUNK + 3,
        sealed.len() - 1,
    ] {
        let mut bad = sealed.clone();
        bad[at] ^= 0x01;
        assert!(open(&ring, &bad).is_err(), "flip at {at}");
    }
    // Cut at a chunk boundary, in the middle, and just the last byte.
    let boundary = header_len + CHUNK + TAG;
    for cut in [
        boundary,
        boundary * 2 - header_len,
        sealed.len() - 1,
        header_len,
    ] {
        assert!(open(&ring, &sealed[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = sealed.clone();
    longer.extend_from_slice(&[0u8; 40]);
    assert!(open(&ring, &longer).is_err());
}

#[test]
fn another_ring_is_named() {
    let (_d, ring) = ring();
    let (_d2, other) = self::ring();
    let sealed = seal(&ring, b"hello");
    let err = DecryptReader::new(&sealed[..], &other).err().unwrap();
    assert!(matches!(err, FormatError::WrongRing { .. }), "{err}");
}

#[test]
fn reordered_chunks_are_refused() {
    let (_d, ring) = ring();
    let data = vec![7u8; 3 * CHUNK];
    let sealed = seal(&ring, &data);
    let h = Header::read(&mut &sealed[..]).unwrap().1.len();
    let c = CHUNK + TAG;
    let mut swapped = sealed[..h].to_vec();
    swapped.extend_from_slice(&sealed[h + c..h + 2 * c]);
    swapped.extend_from_slice(&sealed[h..h + c]);
    swapped.extend_from_slice(&sealed[h + 2 * c..]);
    assert!(open(&ring, &swapped).is_err());
}
