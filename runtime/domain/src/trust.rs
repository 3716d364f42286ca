//! Trusted publishers: the public keys whose signatures (the WebAssembly
//! tool conventions' `signature` section, as `wasmsign2` writes it) the
//! operator accepts on plugins, and whether every plugin must carry one.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// A publisher's public key the operator trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// The operator's name for the publisher, as plugin listings show it.
    pub name: String,
    /// Hex of the key as the tool conventions encode it: `01` (Ed25519)
    /// and its 32 bytes.
    pub public_key: String,
    /// RFC 3339, UTC: when it was added.
    pub added: String,
}

impl TrustedKey {
    /// Checks a publisher's name: 1 to 64 letters, digits, `-`, `_` or `.`.
    pub fn check_name(name: &str) -> Result<(), Invalid> {
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        if name.is_empty() || name.len() > 64 || !name.bytes().all(plain) {
            return Err(Invalid(format!(
                "publisher names are 1 to 64 letters, digits, `-`, `_` or `.`, not {name:?}"
            )));
        }
        Ok(())
    }
}

/// The trusted keys, and the policy that applies them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    pub keys: Vec<TrustedKey>,
    /// Install refuses, and load skips, a plugin no trusted key signed.
    pub require_signed: bool,
}
