//! API keys. Only a key's SHA-256 digest is stored; the secret is shown once.

use std::sync::Arc;

use redb::{ReadTransaction, ReadableTable};

use barcoded_domain::{ApiKey, Credentials, Role, StoredKey, key_name_taken, no_such_key};

use super::schema::API_KEYS;
use crate::codec::{decode, encode, storage};
use crate::{Store, StoreError};
use barcoded_domain::store::KeyStore;

impl KeyStore for Store {
    fn create_key(&self, name: &str, role: Role) -> Result<String, StoreError> {
        let (key, secret) = StoredKey::create(name, role)?;
        let txn = self.write()?;
        {
            let mut keys = txn.open_table(API_KEYS).map_err(storage)?;
            if keys.get(name).map_err(storage)?.is_some() {
                return Err(key_name_taken(name));
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
            Err(no_such_key(name))
        }
    }

    /// Checks against the keys of the shared read snapshot, parsed once per
    /// snapshot rather than once per request.
    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let snapshot = self.snapshot()?;
        let credentials = snapshot
            .keys
            .get_or_init(|| credentials(&snapshot.txn))
            .as_ref()
            .map_err(StoreError::clone)?;
        Ok(credentials.authenticate(secret))
    }
}

pub(super) fn credentials(txn: &ReadTransaction) -> Result<Arc<Credentials>, StoreError> {
    let keys = txn.open_table(API_KEYS).map_err(storage)?;
    let mut stored = Vec::new();
    for entry in keys.iter().map_err(storage)? {
        stored.push(decode::<StoredKey>(entry.map_err(storage)?.1.value())?);
    }
    Ok(Arc::new(Credentials::new(stored)))
}
