//! TLS for the HTTP server, with rustls: a certificate chain and its key
//! from PEM files, TLS 1.2 and 1.3 with rustls's safe defaults, read again
//! on SIGHUP so that a renewed certificate needs no restart.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The certificate and key files, and the acceptor last read from them.
pub struct Certificate {
    cert: PathBuf,
    key: PathBuf,
    acceptor: RwLock<TlsAcceptor>,
}

impl Certificate {
    /// Reads the chain in `cert` (leaf first) and the key in `key`.
    pub fn load(cert: &Path, key: &Path) -> Result<Certificate, String> {
        Ok(Certificate {
            acceptor: RwLock::new(acceptor(cert, key)?),
            cert: cert.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The acceptor new connections use.
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the files again; new connections get what they hold, open
    /// ones keep theirs. Unreadable or mismatched files leave the previous
    /// certificate in place.
    pub fn reload(&self) -> Result<(), String> {
        let fresh = acceptor(&self.cert, &self.key)?;
        *self
            .acceptor
            .write()
            .unwrap_or_else(PoisonError::into_inner) = fresh;
        Ok(())
    }
}

/// An acceptor for the chain in `cert` (leaf first) and the key in `key`.
fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read certificates from {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no PEM certificate", cert.display()));
    }
    warn_if_readable_by_others(key);
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read a private key from {}: {e}", key.display()))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| {
            format!(
                "{} and {} do not make a usable certificate and key: {e}",
                cert.display(),
                key.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A key others can read is no secret: say so, without refusing to start.
fn warn_if_readable_by_others(key: &Path) {
    if let Ok(metadata) = std::fs::metadata(key)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            "the TLS key {} is readable by other users: `chmod 600` it",
            key.display()
        );
    }
}
