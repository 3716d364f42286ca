//! API keys as the service sees them: a name and a role; as a store keeps
//! them, with the digest of their secret; and the check of a presented one.

use crate::Invalid;
use crate::error::StoreError;
use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Every key starts with this, so leaked keys are easy to search for.
pub const KEY_PREFIX: &str = "bcd_";

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Point of sale: scan and look up.
    Pos,
    /// Everything `pos` may, and changing the catalog and plugins.
    Admin,
}

impl ApiKey {
    /// Checks a new key's name: 1 to 64 letters, digits, `-`, `_` or `.`.
    pub fn check_name(name: &str) -> Result<(), Invalid> {
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        if name.is_empty() || name.len() > 64 || !name.bytes().all(plain) {
            return Err(Invalid(format!(
                "key names are 1 to 64 letters, digits, `-`, `_` or `.`, not {name:?}"
            )));
        }
        Ok(())
    }
}

impl Role {
    /// Whether a key of this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self == Role::Admin || needed == Role::Pos
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Role::Pos => "pos",
            Role::Admin => "admin",
        })
    }
}

impl FromStr for Role {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Role, Invalid> {
        match text {
            "pos" => Ok(Role::Pos),
            "admin" => Ok(Role::Admin),
            _ => Err(Invalid(format!("unknown role {text:?}: use pos or admin"))),
        }
    }
}

/// A stored key: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub name: String,
    pub role: Role,
    /// RFC 3339, UTC.
    pub created: String,
}

/// A key as a store keeps it: the key and the hex SHA-256 of its secret,
/// never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredKey {
    #[serde(flatten)]
    pub key: ApiKey,
    pub digest: String,
}

impl StoredKey {
    /// A new key named `name`, and its secret: the only time the secret
    /// exists outside the client.
    pub fn create(name: &str, role: Role) -> Result<(StoredKey, String), StoreError> {
        ApiKey::check_name(name)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            StoreError::storage(format!("the system's random source failed: {e}")).caused_by(e)
        })?;
        let secret = format!("{KEY_PREFIX}{}", crate::hex(&bytes));
        let key = StoredKey {
            key: ApiKey {
                name: name.to_owned(),
                role,
                created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            },
            digest: crate::hex(&Sha256::digest(secret.as_bytes())),
        };
        Ok((key, secret))
    }
}

/// The refusal of a key name already in use.
pub fn key_name_taken(name: &str) -> StoreError {
    StoreError::Refused(format!(
        "a key named {name:?} exists; revoke it first or pick another name"
    ))
}

/// The refusal to revoke a key that does not exist.
pub fn no_such_key(name: &str) -> StoreError {
    StoreError::NotFound(format!("no key named {name:?}"))
}

/// Every stored key's digest, parsed once, to check presented secrets against.
#[derive(Default)]
pub struct Credentials(Vec<([u8; 32], ApiKey)>);

impl Credentials {
    /// Keys whose digest is damaged are left out: nothing can match them.
    pub fn new(keys: impl IntoIterator<Item = StoredKey>) -> Credentials {
        Credentials(
            keys.into_iter()
                .filter_map(|stored| Some((unhex32(&stored.digest)?, stored.key)))
                .collect(),
        )
    }

    /// The key whose secret is `secret`, if any. Every digest is compared,
    /// each in constant time, so timing tells nothing about how much of a
    /// guess was right.
    pub fn authenticate(&self, secret: &str) -> Option<ApiKey> {
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let mut found = None;
        for (digest, key) in &self.0 {
            if constant_time_eq::constant_time_eq_32(digest, &presented) {
                found = Some(key.clone());
            }
        }
        found
    }
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_authenticates_and_nothing_else_does() {
        let (stored, secret) = StoredKey::create("till-1", Role::Pos).unwrap();
        assert!(secret.starts_with(KEY_PREFIX));
        let mut damaged = stored.clone();
        damaged.digest.truncate(10);
        let credentials = Credentials::new([stored, damaged]);
        assert_eq!(credentials.authenticate(&secret).unwrap().name, "till-1");
        assert_eq!(credentials.authenticate("bcd_guess"), None);
        assert_eq!(unhex32("zz"), None);
    }

    #[test]
    fn admin_may_do_what_pos_may_but_not_the_reverse() {
        assert!(Role::Admin.allows(Role::Pos));
        assert!(Role::Admin.allows(Role::Admin));
        assert!(Role::Pos.allows(Role::Pos));
        assert!(!Role::Pos.allows(Role::Admin));
    }
}
