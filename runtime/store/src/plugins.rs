//! The plugin registry: which plugins are installed, in what order, with
//! what limits and configuration. Every change bumps a generation counter
//! that a running server polls to know when to reload.

use std::collections::BTreeMap;

use redb::{ReadableTable, WriteTransaction};

use barcoded_domain::PluginRecord;

use super::schema::{CODE_CACHE, COUNTERS, PLUGIN_STATS, PLUGINS, QUARANTINE};
use crate::codec::{decode, encode, raise_counter, storage};
use crate::{Paths, Store, StoreError};
use barcoded_domain::store::PluginStore;

pub(super) const GENERATION: &str = "plugins";

impl PluginStore for Store {
    fn plugins_generation(&self) -> Result<u64, StoreError> {
        let txn = self.read()?;
        let counters = txn.open_table(COUNTERS).map_err(storage)?;
        Ok(counters
            .get(GENERATION)
            .map_err(storage)?
            .map_or(0, |g| g.value()))
    }

    fn plugins(&self) -> Result<Vec<PluginRecord>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(PLUGINS).map_err(storage)?;
        table
            .iter()
            .map_err(storage)?
            .map(|entry| decode(entry.map_err(storage)?.1.value()))
            .collect()
    }

    fn plugin(&self, name: &str) -> Result<Option<PluginRecord>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(PLUGINS).map_err(storage)?;
        match table.get(name).map_err(storage)? {
            Some(bytes) => Ok(Some(decode(bytes.value())?)),
            None => Ok(None),
        }
    }

    fn put_plugin(&self, record: &PluginRecord) -> Result<(), StoreError> {
        self.change_plugins(|txn| {
            txn.open_table(PLUGINS)
                .map_err(storage)?
                .insert(record.name.as_str(), encode(record).as_slice())
                .map_err(storage)?;
            Ok(())
        })
    }

    fn update_plugin(
        &self,
        name: &str,
        f: &mut dyn FnMut(&mut PluginRecord),
    ) -> Result<PluginRecord, StoreError> {
        self.change_plugins(|txn| {
            let mut table = txn.open_table(PLUGINS).map_err(storage)?;
            let mut record: PluginRecord = match table.get(name).map_err(storage)? {
                Some(bytes) => decode(bytes.value())?,
                None => return Err(no_such_plugin(name)),
            };
            f(&mut record);
            table
                .insert(name, encode(&record).as_slice())
                .map_err(storage)?;
            Ok(record)
        })
    }

    fn remove_plugin(&self, name: &str) -> Result<PluginRecord, StoreError> {
        self.change_plugins(|txn| {
            let mut plugins = txn.open_table(PLUGINS).map_err(storage)?;
            let record: PluginRecord = match plugins.remove(name).map_err(storage)? {
                Some(bytes) => decode(bytes.value())?,
                None => return Err(no_such_plugin(name)),
            };
            txn.open_table(QUARANTINE)
                .map_err(storage)?
                .remove(name)
                .map_err(storage)?;
            txn.open_table(PLUGIN_STATS)
                .map_err(storage)?
                .remove(name)
                .map_err(storage)?;
            Ok(record)
        })
    }

    fn add_plugin_stats(&self, deltas: &[(String, u64, u64)]) -> Result<(), StoreError> {
        let txn = self.write()?;
        {
            let mut table = txn.open_table(PLUGIN_STATS).map_err(storage)?;
            for (name, scans, failures) in deltas {
                let (old_scans, old_failures) = table
                    .get(name.as_str())
                    .map_err(storage)?
                    .map_or((0, 0), |v| v.value());
                table
                    .insert(
                        name.as_str(),
                        (
                            old_scans.saturating_add(*scans),
                            old_failures.saturating_add(*failures),
                        ),
                    )
                    .map_err(storage)?;
            }
        }
        self.commit(txn)
    }

    fn plugin_stats(&self) -> Result<BTreeMap<String, (u64, u64)>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(PLUGIN_STATS).map_err(storage)?;
        table
            .iter()
            .map_err(storage)?
            .map(|entry| {
                let (name, counts) = entry.map_err(storage)?;
                Ok((name.value().to_owned(), counts.value()))
            })
            .collect()
    }

    fn code_cache_digest(&self, file_name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(CODE_CACHE).map_err(storage)?;
        Ok(table
            .get(file_name)
            .map_err(storage)?
            .map(|d| d.value().to_vec()))
    }

    fn record_code_cache_digest(&self, file_name: &str, digest: &[u8]) -> Result<(), StoreError> {
        let txn = self.write()?;
        txn.open_table(CODE_CACHE)
            .map_err(storage)?
            .insert(file_name, digest)
            .map_err(storage)?;
        self.commit(txn)
    }

    /// Components are files in the data folder, beside the redb file.
    fn put_component(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.components()
            .store_component(digest, bytes)
            .map_err(|e| component_error(digest, e))
    }

    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match std::fs::read(self.components().component(digest)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(component_error(digest, e)),
        }
    }
}

/// A component file that could not be read or written: the disk's fault,
/// so unavailable (retrying may work) rather than damaged.
fn component_error(digest: &str, error: std::io::Error) -> StoreError {
    StoreError::unavailable(format!("component file {digest}.wasm: {error}")).caused_by(error)
}

impl Store {
    fn components(&self) -> Paths {
        Paths::new(self.path.parent().unwrap_or(std::path::Path::new(".")))
    }

    /// Runs `f` in a write transaction and bumps the generation with it.
    fn change_plugins<R>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self.write()?;
        let result = f(&txn)?;
        raise_counter(&txn, GENERATION, 1)?;
        self.commit(txn)?;
        Ok(result)
    }
}

fn no_such_plugin(name: &str) -> StoreError {
    StoreError::NotFound(format!(
        "no plugin named {name:?} is installed; `barcoded plugin list` shows those that are"
    ))
}
