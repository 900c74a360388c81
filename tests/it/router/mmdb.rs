//! A minimal MaxMind DB writer, so the country tests need no outside tool or file: an IPv6
//! search tree (IPv4 networks under ::/96, as MaxMind's own databases do), 24-bit records,
//! one `{"country": {"iso_code": ..}}` record per country. Format: MaxMind DB spec 2.0.

use std::net::IpAddr;

#[derive(Clone, Copy)]
enum Record {
    Empty,
    Node(usize),
    Data(usize),
}

fn string(out: &mut Vec<u8>, s: &str) {
    assert!(s.len() < 29, "short strings only");
    out.push(0x40 | s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

fn map(out: &mut Vec<u8>, entries: u8) {
    out.push(0xE0 | entries);
}

fn uint16(out: &mut Vec<u8>, v: u16) {
    out.push(0xA0 | 2);
    out.extend_from_slice(&v.to_be_bytes());
}

fn uint32(out: &mut Vec<u8>, v: u32) {
    out.push(0xC0 | 4);
    out.extend_from_slice(&v.to_be_bytes());
}

/// Extended type 9 (uint64): type bits 0, then the type minus 7 in the next byte.
fn uint64(out: &mut Vec<u8>, v: u64) {
    out.push(8);
    out.push(9 - 7);
    out.extend_from_slice(&v.to_be_bytes());
}

/// Extended type 11 (array).
fn array(out: &mut Vec<u8>, len: u8) {
    out.push(len);
    out.push(11 - 7);
}

/// `networks`: (address, prefix length, ISO country code).
pub fn country_db(database_type: &str, networks: &[(&str, u8, &str)]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets: Vec<(String, usize)> = Vec::new();
    let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty; 2]];
    for (addr, prefix, iso) in networks {
        let offset = match offsets.iter().find(|(c, _)| c == iso) {
            Some((_, o)) => *o,
            None => {
                let o = data.len();
                map(&mut data, 1);
                string(&mut data, "country");
                map(&mut data, 1);
                string(&mut data, "iso_code");
                string(&mut data, iso);
                offsets.push((iso.to_string(), o));
                o
            }
        };
        let (bits, depth) = match addr.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), usize::from(*prefix) + 96),
            IpAddr::V6(v6) => (u128::from(v6), usize::from(*prefix)),
        };
        let mut node = 0;
        for i in 0..depth {
            let bit = ((bits >> (127 - i)) & 1) as usize;
            if i + 1 == depth {
                nodes[node][bit] = Record::Data(offset);
                break;
            }
            node = match nodes[node][bit] {
                Record::Node(n) => n,
                Record::Empty => {
                    nodes.push([Record::Empty; 2]);
                    let n = nodes.len() - 1;
                    nodes[node][bit] = Record::Node(n);
                    n
                }
                Record::Data(_) => panic!("networks overlap"),
            };
        }
    }
    let count = nodes.len();
    let mut out = Vec::new();
    for node in &nodes {
        for record in node {
            let value = match *record {
                Record::Empty => count,
                Record::Node(n) => n,
                Record::Data(o) => count + 16 + o,
            };
            out.extend_from_slice(&(value as u32).to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    map(&mut out, 9);
    string(&mut out, "binary_format_major_version");
    uint16(&mut out, 2);
    string(&mut out, "binary_format_minor_version");
    uint16(&mut out, 0);
    string(&mut out, "build_epoch");
    uint64(&mut out, 1_764_000_000);
    string(&mut out, "database_type");
    string(&mut out, database_type);
    string(&mut out, "description");
    map(&mut out, 1);
    string(&mut out, "en");
    string(&mut out, "plauder test countries");
    string(&mut out, "ip_version");
    uint16(&mut out, 6);
    string(&mut out, "languages");
    array(&mut out, 1);
    string(&mut out, "en");
    string(&mut out, "node_count");
    uint32(&mut out, count as u32);
    string(&mut out, "record_size");
    uint16(&mut out, 24);
    out
}

/// The networks the router tests use: documentation ranges, loopback and an IPv6 range.
pub fn test_countries() -> Vec<u8> {
    country_db(
        "GeoLite2-Country",
        &[
            ("192.0.2.0", 24, "DE"),
            ("198.51.100.0", 24, "FR"),
            ("127.0.0.0", 8, "AT"),
            ("2001:db8::", 32, "CH"),
        ],
    )
}

#[test]
fn the_reader_accepts_and_reads_what_we_write() {
    let reader = maxminddb::Reader::from_source(test_countries()).unwrap();
    reader.verify().unwrap();
    let country = |ip: &str| -> Option<String> {
        reader
            .lookup(ip.parse().unwrap())
            .unwrap()
            .decode_path(&[
                maxminddb::PathElement::Key("country"),
                maxminddb::PathElement::Key("iso_code"),
            ])
            .unwrap()
    };
    assert_eq!(country("192.0.2.77").as_deref(), Some("DE"));
    assert_eq!(country("198.51.100.1").as_deref(), Some("FR"));
    assert_eq!(country("127.0.0.1").as_deref(), Some("AT"));
    assert_eq!(country("2001:db8::1").as_deref(), Some("CH"));
    assert_eq!(country("203.0.113.5"), None);
}

#[test]
fn plauder_reads_countries_also_for_ipv4_mapped_addresses() {
    let db = plauder::widget::route_rules::GeoDb::open(test_countries()).unwrap();
    assert_eq!(db.info.database_type, "GeoLite2-Country");
    assert_eq!(db.info.built, "2025-11-24");
    let country = |ip: &str| db.country(ip.parse().unwrap());
    assert_eq!(country("::ffff:192.0.2.7").as_deref(), Some("DE"));
    assert_eq!(country("192.0.2.7").as_deref(), Some("DE"));
    assert_eq!(country("2001:db8::5").as_deref(), Some("CH"));
    assert_eq!(country("203.0.113.5"), None);
}
