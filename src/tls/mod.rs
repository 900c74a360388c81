//! TLS served by plauder itself: rustls with TLS 1.2/1.3 only, two cipher profiles, a
//! certificate that can be re-read (SIGHUP) without dropping open connections.

mod der;
mod self_signed;

pub use der::CertSummary;
pub use self_signed::ensure_self_signed;

use crate::config::TlsProfile;
use rustls::crypto::{CryptoProvider, ring as provider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS certificate {path}: {message}")]
    Load { path: String, message: String },
    #[error("TLS set-up: {0}")]
    Setup(String),
}

fn load_error(path: &Path, message: impl Into<String>) -> TlsError {
    TlsError::Load {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// The crypto provider of a profile. "bsi" follows BSI TR-02102-2: AES-GCM with ECDHE only,
/// NIST curves only. "modern" adds ChaCha20-Poly1305 and X25519.
pub fn provider_for(profile: TlsProfile) -> CryptoProvider {
    use provider::cipher_suite as cs;
    use provider::kx_group;
    let mut cipher_suites = vec![
        cs::TLS13_AES_256_GCM_SHA384,
        cs::TLS13_AES_128_GCM_SHA256,
        cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ];
    let mut kx_groups = vec![kx_group::SECP384R1, kx_group::SECP256R1];
    if profile == TlsProfile::Modern {
        cipher_suites.extend([
            cs::TLS13_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ]);
        kx_groups.insert(0, kx_group::X25519);
    }
    CryptoProvider {
        cipher_suites,
        kx_groups,
        ..provider::default_provider()
    }
}

/// Holds the current certificate; swapped atomically on reload.
#[derive(Debug)]
pub struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<(Arc<CertifiedKey>, CertSummary)>,
}

impl CertStore {
    pub fn load(cert_path: &Path, key_path: &Path, profile: TlsProfile) -> Result<Self, TlsError> {
        let provider = Arc::new(provider_for(profile));
        let current = read_pair(cert_path, key_path, &provider)?;
        Ok(Self {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            provider,
            current: RwLock::new(current),
        })
    }

    /// Re-reads both files; on any error the old certificate stays in use.
    pub fn reload(&self) -> Result<CertSummary, TlsError> {
        let fresh = read_pair(&self.cert_path, &self.key_path, &self.provider)?;
        let summary = fresh.1.clone();
        let mut guard = self
            .current
            .write()
            .map_err(|_| TlsError::Setup("lock poisoned".into()))?;
        *guard = fresh;
        Ok(summary)
    }

    pub fn summary(&self) -> Option<CertSummary> {
        self.current.read().ok().map(|c| c.1.clone())
    }

    /// The rustls server configuration using this store.
    pub fn server_config(self: &Arc<Self>) -> Result<rustls::ServerConfig, TlsError> {
        let mut config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| TlsError::Setup(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(self.clone())));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        // No resumption tickets: widgets reconnect rarely, and each ticket costs a write and
        // server-side session state per handshake for no measurable gain.
        config.send_tls13_tickets = 0;
        Ok(config)
    }
}

#[derive(Debug)]
struct Resolver(Arc<CertStore>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.current.read().ok().map(|c| c.0.clone())
    }
}

fn read_pair(
    cert_path: &Path,
    key_path: &Path,
    provider: &CryptoProvider,
) -> Result<(Arc<CertifiedKey>, CertSummary), TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| load_error(cert_path, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| load_error(cert_path, e.to_string()))?;
    let leaf = certs
        .first()
        .ok_or_else(|| load_error(cert_path, "contains no certificate"))?;
    let summary = der::summarise(leaf.as_ref())
        .ok_or_else(|| load_error(cert_path, "is not a readable X.509 certificate"))?;
    let key =
        PrivateKeyDer::from_pem_file(key_path).map_err(|e| load_error(key_path, e.to_string()))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| load_error(key_path, e.to_string()))?;
    let certified = CertifiedKey::new(certs, signing);
    certified
        .keys_match()
        .map_err(|_| load_error(key_path, "does not belong to the certificate"))?;
    Ok((Arc::new(certified), summary))
}
