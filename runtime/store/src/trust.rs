//! Trusted publishers and the signature policy. Every change raises the
//! plugins' generation, so that running servers reload and apply it.

use redb::ReadableTable;

use barcoded_domain::store::TrustStore;
use barcoded_domain::{Trust, TrustedKey};

use super::plugins::GENERATION;
use super::schema::{SETTINGS, TRUSTED_KEYS};
use crate::codec::{decode, encode, raise_counter, storage};
use crate::{Store, StoreError};

/// The setting that makes every plugin need a trusted signature.
pub(crate) const REQUIRE_SIGNED: &str = "require_signed";

impl TrustStore for Store {
    fn trust(&self) -> Result<Trust, StoreError> {
        let txn = self.read()?;
        let keys = txn
            .open_table(TRUSTED_KEYS)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
            .map(|entry| decode(entry.map_err(storage)?.1.value()))
            .collect::<Result<_, _>>()?;
        let require_signed = txn
            .open_table(SETTINGS)
            .map_err(storage)?
            .get(REQUIRE_SIGNED)
            .map_err(storage)?
            .is_some_and(|value| value.value() == "true");
        Ok(Trust {
            keys,
            require_signed,
        })
    }

    fn add_trusted_key(&self, key: &TrustedKey) -> Result<(), StoreError> {
        let txn = self.write()?;
        {
            let mut keys = txn.open_table(TRUSTED_KEYS).map_err(storage)?;
            for entry in keys.iter().map_err(storage)? {
                let (name, value) = entry.map_err(storage)?;
                let trusted: TrustedKey = decode(value.value())?;
                if trusted.public_key == key.public_key {
                    return Err(StoreError::Refused(format!(
                        "this key is trusted already, as {}",
                        name.value()
                    )));
                }
            }
            if keys.get(key.name.as_str()).map_err(storage)?.is_some() {
                return Err(StoreError::Refused(format!(
                    "a publisher named {} is trusted already; remove it first, or choose \
                     another name",
                    key.name
                )));
            }
            keys.insert(key.name.as_str(), encode(key).as_slice())
                .map_err(storage)?;
        }
        raise_counter(&txn, GENERATION, 1)?;
        self.commit(txn)
    }

    fn remove_trusted_key(&self, name: &str) -> Result<TrustedKey, StoreError> {
        let txn = self.write()?;
        let removed = txn
            .open_table(TRUSTED_KEYS)
            .map_err(storage)?
            .remove(name)
            .map_err(storage)?
            .map(|value| decode::<TrustedKey>(value.value()))
            .transpose()?;
        let Some(removed) = removed else {
            return Err(StoreError::NotFound(format!(
                "no publisher named {name} is trusted; `barcoded trust list` shows them"
            )));
        };
        raise_counter(&txn, GENERATION, 1)?;
        self.commit(txn)?;
        Ok(removed)
    }

    fn set_require_signed(&self, on: bool) -> Result<(), StoreError> {
        let txn = self.write()?;
        txn.open_table(SETTINGS)
            .map_err(storage)?
            .insert(REQUIRE_SIGNED, if on { "true" } else { "false" })
            .map_err(storage)?;
        raise_counter(&txn, GENERATION, 1)?;
        self.commit(txn)
    }
}
