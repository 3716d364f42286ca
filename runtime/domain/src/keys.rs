//! API keys as the service sees them: a name and a role.

use crate::Invalid;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
