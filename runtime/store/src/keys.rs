//! Named API keys with roles. A key is random, shown once at creation, and
//! stored only as its SHA-256 digest: a copy of the store reveals no key.
//! (A fast hash is enough: keys carry 256 random bits, so there is nothing
//! to brute-force.)

use std::time::SystemTime;

use constant_time_eq::constant_time_eq_32;
use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use barcoded_domain::{ApiKey, KEY_PREFIX, Role};

use super::schema::API_KEYS;
use super::{Store, StoreError, decode, encode, storage};
use barcoded_domain::store::KeyStore;

impl KeyStore for Store {
    fn create_key(&self, name: &str, role: Role) -> Result<String, StoreError> {
        ApiKey::check_name(name)?;
        let secret = new_secret()?;
        let key = StoredKey {
            key: ApiKey {
                name: name.to_owned(),
                role,
                created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            },
            digest: hex(&Sha256::digest(secret.as_bytes())),
        };
        let txn = self.write()?;
        {
            let mut keys = txn.open_table(API_KEYS).map_err(storage)?;
            if keys.get(name).map_err(storage)?.is_some() {
                return Err(StoreError::Refused(format!(
                    "a key named {name:?} exists; revoke it first or pick another name"
                )));
            }
            keys.insert(name, encode(&key).as_slice())
                .map_err(storage)?;
        }
        self.commit(txn)?;
        Ok(secret)
    }

    fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let txn = self.read()?;
        let keys = txn.open_table(API_KEYS).map_err(storage)?;
        keys.iter()
            .map_err(storage)?
            .map(|entry| decode(entry.map_err(storage)?.1.value()))
            .collect()
    }

    fn revoke_key(&self, name: &str) -> Result<(), StoreError> {
        let txn = self.write()?;
        let removed = txn
            .open_table(API_KEYS)
            .map_err(storage)?
            .remove(name)
            .map_err(storage)?
            .is_some();
        self.commit(txn)?;
        if removed {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!("no key named {name:?}")))
        }
    }

    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let snapshot = self.snapshot()?;
        let credentials = snapshot
            .keys
            .get_or_init(|| credentials(&snapshot.txn))
            .as_ref()
            .map_err(StoreError::duplicate)?;
        let mut found = None;
        for credential in credentials {
            if constant_time_eq_32(&credential.digest, &presented) {
                found = Some(credential.key.clone());
            }
        }
        Ok(found)
    }
}

/// A key as the store keeps it: with the hex SHA-256 of its secret.
#[derive(Serialize, Deserialize)]
struct StoredKey {
    #[serde(flatten)]
    key: ApiKey,
    digest: String,
}

/// A key with its digest decoded, ready to compare.
pub(super) struct Credential {
    digest: [u8; 32],
    key: ApiKey,
}

/// Every key of `txn`, decoded once for all the requests sharing it.
fn credentials(txn: &ReadTransaction) -> Result<Vec<Credential>, StoreError> {
    let keys = txn.open_table(API_KEYS).map_err(storage)?;
    let mut credentials = Vec::new();
    for entry in keys.iter().map_err(storage)? {
        let entry = entry.map_err(storage)?;
        let stored: StoredKey = decode(entry.1.value())?;
        // A damaged digest matches nothing.
        if let Some(digest) = unhex32(&stored.digest) {
            credentials.push(Credential {
                digest,
                key: stored.key,
            });
        }
    }
    Ok(credentials)
}

fn new_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Storage(format!("the system's random source failed: {e}")))?;
    Ok(format!("{KEY_PREFIX}{}", hex(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn digests_round_trip_through_hex() {
        let digest: [u8; 32] = Sha256::digest(b"bcd_x").into();
        assert_eq!(unhex32(&hex(&digest)), Some(digest));
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
