//! The database link's TLS, as libpq reads `sslmode` and `sslrootcert`.
//!
//! tokio-postgres knows three modes (disable, prefer, require) and checks no
//! certificate itself, so the two parameters are taken out of the URL here
//! and become a rustls verifier:
//!
//! | `sslmode` | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | - |
//! | `prefer` (the default, as libpq's) | if the server offers it | no |
//! | `require` | always | no; with a root certificate, as `verify-ca` |
//! | `verify-ca` | always | chains to the root certificate |
//! | `verify-full` | always | chains to it, and names the host |
//!
//! The root certificate is `sslrootcert=FILE` (PEM), else libpq's
//! `~/.postgresql/root.crt` when it exists; `sslrootcert=system` trusts the
//! system's authorities and, as in libpq, demands `verify-full`.

use std::path::PathBuf;
use std::sync::Arc;

use barcoded_domain::store::StoreError;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    CryptoProvider, ring, verify_tls12_signature, verify_tls13_signature,
};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};

/// `sslmode`, with the two modes tokio-postgres lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Where the trusted root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Roots {
    None,
    File(PathBuf),
    System,
}

/// The TLS a store URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    mode: Mode,
    roots: Roots,
}

/// Takes `sslmode` and `sslrootcert` out of `url`'s query: the URL
/// tokio-postgres parses, and the TLS settings.
pub(crate) fn split(url: &str) -> Result<(String, Settings), StoreError> {
    let (location, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = Some(parse_mode(&percent_decoded(value)?)?),
            "sslrootcert" => root = Some(percent_decoded(value)?),
            "sslcert" | "sslkey" | "sslpassword" => {
                return Err(StoreError::Refused(
                    "client certificates (sslcert, sslkey) are not supported yet; \
                     authenticate with a password over sslmode=verify-full"
                        .into(),
                ));
            }
            _ => kept.push(pair),
        }
    }
    let roots = match root.as_deref() {
        Some("system") => Roots::System,
        Some(path) => Roots::File(PathBuf::from(path)),
        None => default_root_file().map_or(Roots::None, Roots::File),
    };
    let explicit = root.is_some();
    let mut mode = mode.unwrap_or(Mode::Prefer);
    if roots == Roots::System && mode != Mode::VerifyFull {
        return Err(StoreError::Refused(
            "sslrootcert=system needs sslmode=verify-full: a public authority vouches \
             for names, so only the name check makes it mean anything"
                .into(),
        ));
    }
    // libpq: `require` with a root certificate checks the chain.
    if mode == Mode::Require && roots != Roots::None {
        mode = Mode::VerifyCa;
    }
    if matches!(mode, Mode::VerifyCa | Mode::VerifyFull) && roots == Roots::None {
        return Err(StoreError::Refused(format!(
            "sslmode={} needs the certificate of the authority that signed the database's: \
             add sslrootcert=FILE (PEM) to the URL, or sslrootcert=system for the system's \
             authorities",
            mode.name()
        )));
    }
    // A root file libpq would find by itself applies only where it checks.
    let roots = if !explicit && mode == Mode::Prefer {
        Roots::None
    } else {
        roots
    };
    let url = if kept.is_empty() {
        location.to_owned()
    } else {
        format!("{location}?{}", kept.join("&"))
    };
    Ok((url, Settings { mode, roots }))
}

fn parse_mode(value: &str) -> Result<Mode, StoreError> {
    Ok(match value {
        "disable" => Mode::Disable,
        // libpq's `allow` tries without TLS first; preferring TLS is no weaker.
        "allow" | "prefer" => Mode::Prefer,
        "require" => Mode::Require,
        "verify-ca" => Mode::VerifyCa,
        "verify-full" => Mode::VerifyFull,
        other => {
            return Err(StoreError::Refused(format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, \
                 verify-full"
            )));
        }
    })
}

/// libpq's default root certificate file, if there is one.
fn default_root_file() -> Option<PathBuf> {
    let file = PathBuf::from(std::env::var_os("HOME")?).join(".postgresql/root.crt");
    file.is_file().then_some(file)
}

/// `value` with its `%XX` escapes decoded.
fn percent_decoded(value: &str) -> Result<String, StoreError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            let Some(byte) = hex else {
                return Err(StoreError::Refused(
                    "the store URL has a % that starts no %XX escape".into(),
                ));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| StoreError::Refused("the store URL's escapes are not UTF-8".into()))
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Disable => "disable",
            Mode::Prefer => "prefer",
            Mode::Require => "require",
            Mode::VerifyCa => "verify-ca",
            Mode::VerifyFull => "verify-full",
        }
    }
}

impl Settings {
    /// The mode tokio-postgres negotiates by.
    pub(crate) fn postgres_mode(&self) -> SslMode {
        match self.mode {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
        }
    }

    /// The connector that checks the server's certificate as the mode says.
    pub(crate) fn connector(&self) -> Result<MakeRustlsConnect, StoreError> {
        let provider = Arc::new(ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.mode {
            Mode::Disable | Mode::Prefer | Mode::Require => Arc::new(Unchecked(provider.clone())),
            Mode::VerifyCa => Arc::new(ChainOnly(self.chain_verifier(&provider)?)),
            Mode::VerifyFull => self.chain_verifier(&provider)?,
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::storage(format!("cannot set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    fn chain_verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Arc<WebPkiServerVerifier>, StoreError> {
        let roots = self.root_store()?;
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| {
                StoreError::Refused(format!("cannot check the database's certificate: {e}"))
            })
    }

    fn root_store(&self) -> Result<RootCertStore, StoreError> {
        let mut store = RootCertStore::empty();
        match &self.roots {
            Roots::None => {}
            Roots::System => {
                let found = rustls_native_certs::load_native_certs();
                store.add_parsable_certificates(found.certs);
            }
            // The path stays out of messages, as the password does.
            Roots::File(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    StoreError::Refused(format!(
                        "cannot read the root certificate file named by sslrootcert ({e})"
                    ))
                })?;
                for certificate in CertificateDer::pem_slice_iter(&pem) {
                    let certificate = certificate.map_err(|e| {
                        StoreError::Refused(format!(
                            "the sslrootcert file is not PEM certificates ({e})"
                        ))
                    })?;
                    store.add(certificate).map_err(|e| {
                        StoreError::Refused(format!(
                            "the sslrootcert file holds a certificate that cannot be a root ({e})"
                        ))
                    })?;
                }
            }
        }
        if store.is_empty() && self.roots != Roots::None {
            return Err(StoreError::Refused(
                "sslrootcert names no certificate to trust".into(),
            ));
        }
        Ok(store)
    }
}

/// `sslmode=prefer` and `require`: encrypts, and checks the handshake's
/// signatures, but not who signed the certificate (as libpq).
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must reach a trusted root; the name on
/// the certificate may differ from the host's.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            verified => verified,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> Result<(String, Settings), StoreError> {
        split(url)
    }

    #[test]
    fn the_default_is_prefer_and_the_url_keeps_every_other_parameter() {
        let (url, tls) =
            settings("postgres://u:p@db/x?application_name=a&connect_timeout=2").unwrap();
        assert_eq!(
            url,
            "postgres://u:p@db/x?application_name=a&connect_timeout=2"
        );
        assert_eq!(tls.mode, Mode::Prefer);
        assert_eq!(tls.postgres_mode(), SslMode::Prefer);
    }

    #[test]
    fn the_modes_tokio_postgres_lacks_are_taken_out_of_the_url() {
        let (url, tls) =
            settings("postgres://db/x?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&port=5433")
                .unwrap();
        assert_eq!(url, "postgres://db/x?port=5433");
        assert_eq!(tls.mode, Mode::VerifyFull);
        assert_eq!(tls.roots, Roots::File("/etc/ca.pem".into()));
        assert_eq!(tls.postgres_mode(), SslMode::Require);
        let (_, tls) = settings("postgres://db/x?sslmode=disable").unwrap();
        assert_eq!(tls.postgres_mode(), SslMode::Disable);
    }

    #[test]
    fn require_with_a_root_certificate_checks_the_chain() {
        let (_, tls) = settings("postgres://db/x?sslmode=require&sslrootcert=ca.pem").unwrap();
        assert_eq!(tls.mode, Mode::VerifyCa);
    }

    #[test]
    fn a_mode_that_checks_needs_a_root_and_system_roots_need_the_name_check() {
        let refused = |url: &str| match settings(url) {
            Err(StoreError::Refused(message)) => message,
            other => panic!("{url}: {other:?}"),
        };
        if default_root_file().is_none() {
            assert!(refused("postgres://db/x?sslmode=verify-ca").contains("sslrootcert=FILE"));
        }
        assert!(
            refused("postgres://db/x?sslmode=require&sslrootcert=system")
                .contains("needs sslmode=verify-full")
        );
        assert!(refused("postgres://db/x?sslmode=verify-everything").contains("not one of"));
        assert!(refused("postgres://db/x?sslcert=c.pem").contains("not supported"));
        assert!(refused("postgres://db/x?sslrootcert=%zz").contains("%XX"));
    }

    #[test]
    fn an_unreadable_root_file_is_refused_without_its_path() {
        let (_, tls) =
            settings("postgres://db/x?sslmode=verify-full&sslrootcert=/nonexistent/secret-ca.pem")
                .unwrap();
        let Err(StoreError::Refused(message)) = tls.connector().map(|_| ()) else {
            panic!("a missing root file was accepted");
        };
        assert!(
            message.contains("cannot read the root certificate"),
            "{message}"
        );
        assert!(!message.contains("secret-ca"), "{message}");
    }
}
