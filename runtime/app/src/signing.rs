//! Plugin signatures in the WebAssembly tool conventions' format (a
//! `signature` custom section first in the component, Ed25519 over the
//! SHA-256 of the rest), as `wasmsign2` writes and reads them: keys, signing,
//! and which trusted publisher signed a component.

use std::io::Cursor;

use barcoded_domain::{Trust, TrustedKey, hex};
use wasmsign2::{KeyPair, Module, PublicKey, PublicKeySet, SecretKey, WSError};

/// Why a key or a component could not be used for signing.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("not a signing key: {0} (use one `barcoded plugin keygen` or `wasmsign2 keygen` made)")]
    Key(String),
    #[error("cannot sign it: {0}")]
    Component(String),
}

/// What a component's signatures say, against the trusted publishers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// A trusted publisher, by name, signed exactly these bytes.
    By(String),
    /// It carries no signature.
    Unsigned,
    /// It carries signatures, but none by a trusted publisher over these
    /// bytes; the text says what is wrong.
    Untrusted(String),
}

/// A new key pair: (secret key, public key), in wasmsign2's raw encoding.
pub fn generate_keys() -> (Vec<u8>, Vec<u8>) {
    let pair = KeyPair::generate();
    (pair.sk.to_bytes(), pair.pk.to_bytes())
}

/// `component` with a signature by `secret_key` added (any in it stay).
pub fn sign(component: &[u8], secret_key: &[u8]) -> Result<Vec<u8>, SignError> {
    let secret = SecretKey::from_any(secret_key).map_err(|e| SignError::Key(e.to_string()))?;
    let public = PublicKey {
        pk: secret.sk.public_key(),
        key_id: None,
    }
    .attach_default_key_id();
    let module = Module::deserialize(&mut Cursor::new(component))
        .map_err(|e| SignError::Component(wasm_error(&e)))?;
    let (signed, _) = secret
        .sign_multi(module, public.key_id(), false, false)
        .map_err(|e| SignError::Component(wasm_error(&e)))?;
    let mut out = Vec::with_capacity(component.len() + 128);
    signed
        .serialize(&mut out)
        .map_err(|e| SignError::Component(wasm_error(&e)))?;
    Ok(out)
}

/// The hex encoding trust keeps of the public key in `data` (wasmsign2's
/// raw bytes, PEM, DER or an OpenSSH Ed25519 key).
pub fn public_key_hex(data: &[u8]) -> Result<String, SignError> {
    let key = PublicKey::from_any(data).map_err(|e| SignError::Key(e.to_string()))?;
    Ok(hex(&key.to_bytes()))
}

/// Which trusted publisher signed `component`, if any.
pub fn signer(component: &[u8], trust: &Trust) -> Signed {
    let keys: Vec<(&TrustedKey, PublicKey)> = trust
        .keys
        .iter()
        .filter_map(|key| {
            let bytes = from_hex(&key.public_key)?;
            Some((key, PublicKey::from_bytes(&bytes).ok()?))
        })
        .collect();
    let set = PublicKeySet::new(keys.iter().map(|(_, key)| key.clone()).collect());
    match set.verify(&mut Cursor::new(component), None) {
        Ok(valid) => keys
            .iter()
            .find(|(_, key)| valid.contains(key))
            .map_or(Signed::Unsigned, |(trusted, _)| {
                Signed::By(trusted.name.clone())
            }),
        Err(WSError::NoSignatures) => Signed::Unsigned,
        Err(WSError::VerificationFailed) if keys.is_empty() => {
            Signed::Untrusted("it is signed, but no publisher is trusted yet".into())
        }
        Err(WSError::VerificationFailed) => Signed::Untrusted(
            "no trusted publisher signed these bytes (signed by another key, or changed since \
             it was signed)"
                .into(),
        ),
        Err(error) => Signed::Untrusted(format!(
            "its signature section cannot be read ({})",
            wasm_error(&error)
        )),
    }
}

fn wasm_error(error: &WSError) -> String {
    match error {
        WSError::ParseError | WSError::Eof => "not a WebAssembly component".into(),
        WSError::UnsupportedModuleType => "not a WebAssembly module or component".into(),
        other => other.to_string(),
    }
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component of its header and one custom section (`x`, holding `y`).
    const COMPONENT: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x03, 0x01, b'x', b'y',
    ];

    fn trusting(names_and_keys: &[(&str, &[u8])]) -> Trust {
        Trust {
            keys: names_and_keys
                .iter()
                .map(|(name, public)| TrustedKey {
                    name: (*name).into(),
                    public_key: public_key_hex(public).unwrap(),
                    added: String::new(),
                })
                .collect(),
            require_signed: true,
        }
    }

    #[test]
    fn a_component_signed_by_a_trusted_key_names_its_publisher() {
        let (secret, public) = generate_keys();
        let signed = sign(COMPONENT, &secret).unwrap();
        assert_eq!(
            signer(&signed, &trusting(&[("acme", &public)])),
            Signed::By("acme".into())
        );
        assert_eq!(
            signer(COMPONENT, &trusting(&[("acme", &public)])),
            Signed::Unsigned
        );
    }

    #[test]
    fn another_key_or_a_changed_byte_is_untrusted() {
        let (secret, _) = generate_keys();
        let (_, other) = generate_keys();
        let signed = sign(COMPONENT, &secret).unwrap();
        let trust = trusting(&[("other", &other)]);
        assert!(matches!(signer(&signed, &trust), Signed::Untrusted(_)));
        assert!(matches!(
            signer(&signed, &Trust::default()),
            Signed::Untrusted(_)
        ));
        let (secret, public) = generate_keys();
        let mut tampered = sign(&signed, &secret).unwrap();
        // Append a custom section after signing: the hash no longer matches.
        tampered.extend_from_slice(&[0x00, 0x02, 0x01, b'x']);
        assert!(matches!(
            signer(&tampered, &trusting(&[("acme", &public)])),
            Signed::Untrusted(_)
        ));
    }

    #[test]
    fn two_publishers_may_sign_one_component() {
        let (first, first_public) = generate_keys();
        let (second, second_public) = generate_keys();
        let twice = sign(&sign(COMPONENT, &first).unwrap(), &second).unwrap();
        assert_eq!(
            signer(&twice, &trusting(&[("b", &second_public)])),
            Signed::By("b".into())
        );
        assert_eq!(
            signer(&twice, &trusting(&[("a", &first_public)])),
            Signed::By("a".into())
        );
    }

    #[test]
    fn junk_is_refused_with_a_reason() {
        let (secret, _) = generate_keys();
        assert!(sign(b"not wasm", &secret).is_err());
        assert!(sign(COMPONENT, b"not a key").is_err());
        assert!(public_key_hex(b"not a key").is_err());
    }
}
