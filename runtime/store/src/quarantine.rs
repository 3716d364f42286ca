//! Plugins quarantined for failing scan after scan. The record outlives a
//! restart: only an operator puts a plugin back.

use std::collections::BTreeMap;
use std::time::SystemTime;

use redb::ReadableTable;

use barcoded_domain::Quarantine;

use super::schema::QUARANTINE;
use crate::codec::{decode, encode, storage};
use crate::{Store, StoreError};
use barcoded_domain::store::QuarantineStore;

impl QuarantineStore for Store {
    fn quarantine_plugin(&self, name: &str, reason: &str) -> Result<(), StoreError> {
        let record = Quarantine {
            since: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            reason: reason.to_owned(),
        };
        let txn = self.write()?;
        txn.open_table(QUARANTINE)
            .map_err(storage)?
            .insert(name, encode(&record).as_slice())
            .map_err(storage)?;
        self.commit(txn)
    }

    fn release_plugin(&self, name: &str) -> Result<bool, StoreError> {
        let txn = self.write()?;
        let removed = txn
            .open_table(QUARANTINE)
            .map_err(storage)?
            .remove(name)
            .map_err(storage)?
            .is_some();
        self.commit(txn)?;
        Ok(removed)
    }

    fn quarantined_plugins(&self) -> Result<BTreeMap<String, Quarantine>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(QUARANTINE).map_err(storage)?;
        table
            .iter()
            .map_err(storage)?
            .map(|entry| {
                let (name, record) = entry.map_err(storage)?;
                Ok((name.value().to_owned(), decode(record.value())?))
            })
            .collect()
    }
}
