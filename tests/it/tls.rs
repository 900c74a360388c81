//! TLS: versions, suites and groups of the two profiles; reload without dropping connections.

use crate::support::client::{connect, exchange, tls_config};
use crate::support::{Db, TestServer};
use plauder::config::TlsProfile;
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring::{cipher_suite as cs, default_provider, kx_group};
use rustls::{CipherSuite, NamedGroup, ProtocolVersion};
use std::io::{Read, Write};

const BSI_SUITES: [CipherSuite; 4] = [
    CipherSuite::TLS13_AES_256_GCM_SHA384,
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
];

fn handshake(
    server: &TestServer,
    provider: CryptoProvider,
    version: &'static rustls::SupportedProtocolVersion,
) -> Option<(ProtocolVersion, CipherSuite, NamedGroup)> {
    let config = tls_config(&server.cert, provider, &[version]);
    let tls = connect(server.addr, config).ok()?;
    let c = &tls.conn;
    Some((
        c.protocol_version()?,
        c.negotiated_cipher_suite()?.suite(),
        c.negotiated_key_exchange_group()?.name(),
    ))
}

fn only_suites(suites: Vec<rustls::SupportedCipherSuite>) -> CryptoProvider {
    CryptoProvider {
        cipher_suites: suites,
        ..default_provider()
    }
}

fn only_group(group: &'static dyn rustls::crypto::SupportedKxGroup) -> CryptoProvider {
    CryptoProvider {
        kx_groups: vec![group],
        ..default_provider()
    }
}

#[test]
fn tls12_and_13_use_only_bsi_suites_and_groups() {
    let server = TestServer::start(Db::Sqlite);
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let (v, suite, group) = handshake(&server, default_provider(), version).expect("handshake");
        assert_eq!(v, version.version);
        assert!(BSI_SUITES.contains(&suite), "{suite:?}");
        assert!(
            matches!(group, NamedGroup::secp256r1 | NamedGroup::secp384r1),
            "{group:?}"
        );
    }
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let chacha = only_suites(vec![
            cs::TLS13_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ]);
        assert!(
            handshake(&server, chacha, version).is_none(),
            "ChaCha20 refused under bsi"
        );
        assert!(
            handshake(&server, only_group(kx_group::X25519), version).is_none(),
            "X25519 refused under bsi"
        );
        assert!(handshake(&server, only_group(kx_group::SECP384R1), version).is_some());
    }
}

#[test]
fn modern_profile_adds_chacha20_and_x25519() {
    let server = TestServer::start_with(Db::Sqlite, |c| c.tls.profile = TlsProfile::Modern);
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let chacha = only_suites(vec![
            cs::TLS13_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ]);
        let (_, suite, _) = handshake(&server, chacha, version).expect("chacha accepted");
        assert!(format!("{suite:?}").contains("CHACHA20"));
        let (_, _, group) =
            handshake(&server, only_group(kx_group::X25519), version).expect("x25519 accepted");
        assert_eq!(group, NamedGroup::X25519);
    }
}

/// A hand-made ClientHello offering one suite the server accepts (ECDHE-ECDSA-AES128-GCM)
/// and the extensions it needs, so only the protocol version decides the answer.
fn client_hello(version: [u8; 2]) -> Vec<u8> {
    let mut body = version.to_vec();
    body.extend_from_slice(&[7u8; 32]);
    body.push(0); // session id
    body.extend_from_slice(&[0x00, 0x02, 0xc0, 0x2b]);
    body.extend_from_slice(&[0x01, 0x00]); // compression: null
    let extensions: &[u8] = &[
        0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // supported_groups: secp256r1
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, // ec_point_formats: uncompressed
        0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04,
        0x03, // signature_algorithms: ecdsa_secp256r1_sha256
    ];
    body.extend_from_slice(&u16::try_from(extensions.len()).unwrap().to_be_bytes());
    body.extend_from_slice(extensions);
    let mut handshake = vec![0x01, 0];
    handshake.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&u16::try_from(handshake.len()).unwrap().to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

fn first_answer(server: &TestServer, hello: &[u8]) -> [u8; 6] {
    let mut tcp = std::net::TcpStream::connect(server.addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    tcp.write_all(hello).unwrap();
    let mut answer = [0u8; 6];
    tcp.read_exact(&mut answer).unwrap();
    answer
}

#[test]
fn tls11_and_10_are_refused_while_the_same_hello_as_tls12_is_answered() {
    let server = TestServer::start(Db::Sqlite);
    let tls12 = first_answer(&server, &client_hello([0x03, 0x03]));
    assert_eq!(
        (tls12[0], tls12[5]),
        (0x16, 0x02),
        "TLS 1.2 hello gets a ServerHello: {tls12:?}"
    );
    for old in [[0x03, 0x02], [0x03, 0x01]] {
        let answer = first_answer(&server, &client_hello(old));
        assert_eq!(answer[0], 0x15, "{old:?} gets an alert record: {answer:?}");
        assert_eq!(answer[5], 2, "a fatal alert: {answer:?}");
    }
}

#[test]
fn certificate_reload_keeps_open_connections() {
    let server = TestServer::start(Db::Sqlite);
    let (cert, key, _) = server.config.tls_paths();
    let mut open = connect(server.addr, server.tls()).unwrap();
    let keep_alive = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    assert_eq!(exchange(&mut open, keep_alive, b"").status, 200);

    std::fs::remove_file(&cert).unwrap();
    std::fs::remove_file(&key).unwrap();
    plauder::tls::ensure_self_signed(&cert, &key).unwrap();
    let new_cert: rustls::pki_types::CertificateDer =
        rustls::pki_types::pem::PemObject::from_pem_file(&cert).unwrap();
    let new_only = tls_config(&new_cert, default_provider(), rustls::ALL_VERSIONS);
    assert!(
        connect(server.addr, new_only.clone()).is_err(),
        "old certificate still served before reload"
    );
    server.state.certs.reload().unwrap();
    assert!(
        connect(server.addr, new_only).is_ok(),
        "new certificate served after reload"
    );
    assert_eq!(
        exchange(&mut open, keep_alive, b"").status,
        200,
        "open connection survives"
    );

    std::fs::write(&cert, "not a certificate").unwrap();
    assert!(
        server.state.certs.reload().is_err(),
        "a broken file is refused"
    );
    let still = tls_config(&new_cert, default_provider(), rustls::ALL_VERSIONS);
    assert!(
        connect(server.addr, still).is_ok(),
        "the last good certificate stays in use"
    );
}
