//! Every record at once, for `barcoded store migrate`: read from one read
//! snapshot, and written as they are (ids and counts kept) into an empty
//! store.

use std::collections::BTreeSet;

use redb::{
    ReadTransaction, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};

use barcoded_domain::store::{PluginStore, TransferStore};
use barcoded_domain::transfer::Record;
use barcoded_domain::{PluginRecord, StoredKey};

use super::catalog::CatalogTables;
use super::schema::*;
use crate::codec::{decode, encode, storage};
use crate::{Store, StoreError};

/// Every table a record lives in; a store is empty when all are.
const RECORD_TABLES: [TableDefinition<'static, &'static str, &'static [u8]>; 5] =
    [PRODUCTS, API_KEYS, PLUGINS, QUARANTINE, PURCHASE_ORDERS];

impl TransferStore for Store {
    fn export_records(
        &self,
        f: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let txn = self.read()?;
        each(
            &txn,
            PRODUCTS,
            |bytes| Ok(Record::Product(decode(bytes)?)),
            f,
        )?;
        each(
            &txn,
            BARCODES,
            |bytes| Ok(Record::Barcode(decode(bytes)?)),
            f,
        )?;
        each(
            &txn,
            API_KEYS,
            |bytes| Ok(Record::Key(decode::<StoredKey>(bytes)?)),
            f,
        )?;
        let mut digests = BTreeSet::new();
        each(
            &txn,
            PLUGINS,
            |bytes| {
                let plugin: PluginRecord = decode(bytes)?;
                digests.insert(plugin.digest.clone());
                Ok(Record::Plugin(Box::new(plugin)))
            },
            f,
        )?;
        for digest in digests {
            let bytes = self.component(&digest)?.ok_or_else(|| {
                StoreError::storage(format!(
                    "the component {digest} of an installed plugin is missing"
                ))
            })?;
            f(Record::Component { digest, bytes })?;
        }
        for entry in txn
            .open_table(PLUGIN_STATS)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (name, counts) = entry.map_err(storage)?;
            let (scans, failures) = counts.value();
            let name = name.value().to_owned();
            f(Record::PluginStats {
                name,
                scans,
                failures,
            })?;
        }
        for entry in txn
            .open_table(QUARANTINE)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (name, bytes) = entry.map_err(storage)?;
            let quarantine = decode(bytes.value())?;
            f(Record::Quarantined {
                name: name.value().to_owned(),
                quarantine,
            })?;
        }
        for entry in txn
            .open_table(STOCK)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (key, level) = entry.map_err(storage)?;
            let (sku, location) = key.value();
            f(Record::Level {
                sku: sku.to_owned(),
                location: location.to_owned(),
                level: level.value(),
            })?;
        }
        each(
            &txn,
            STOCK_MOVEMENTS,
            |bytes| Ok(Record::Movement(decode(bytes)?)),
            f,
        )?;
        each(
            &txn,
            PURCHASE_ORDERS,
            |bytes| Ok(Record::Order(decode(bytes)?)),
            f,
        )?;
        for entry in txn
            .open_table(SCAN_HISTORY)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (_, value) = entry.map_err(storage)?;
            let (millis, bytes) = value.value();
            f(Record::Scan {
                millis,
                entry: decode(bytes)?,
            })?;
        }
        each(&txn, AUDIT, |bytes| Ok(Record::Audit(decode(bytes)?)), f)?;
        each(
            &txn,
            TRUSTED_KEYS,
            |bytes| Ok(Record::Trusted(decode(bytes)?)),
            f,
        )?;
        let require_signed = txn
            .open_table(SETTINGS)
            .map_err(storage)?
            .get(crate::trust::REQUIRE_SIGNED)
            .map_err(storage)?
            .map(|value| value.value() == "true");
        if let Some(on) = require_signed {
            f(Record::RequireSigned(on))?;
        }
        Ok(())
    }

    fn import_records(&self, records: &[Record]) -> Result<(), StoreError> {
        let txn = self.write()?;
        let mut plugins_changed = false;
        for record in records {
            plugins_changed |= matches!(record, Record::Plugin(_));
            if let Record::Component { digest, bytes } = record {
                // Files beside the redb file: written first, harmless alone.
                self.put_component(digest, bytes)?;
            }
        }
        import(&txn, records)?;
        if plugins_changed {
            crate::codec::raise_counter(&txn, super::plugins::GENERATION, 1)?;
        }
        self.commit(txn)
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        let txn = self.read()?;
        for table in RECORD_TABLES {
            if !txn
                .open_table(table)
                .map_err(storage)?
                .is_empty()
                .map_err(storage)?
            {
                return Ok(false);
            }
        }
        Ok(txn
            .open_table(BARCODES)
            .map_err(storage)?
            .is_empty()
            .map_err(storage)?
            && txn
                .open_table(STOCK)
                .map_err(storage)?
                .is_empty()
                .map_err(storage)?
            && txn
                .open_table(SCAN_HISTORY)
                .map_err(storage)?
                .is_empty()
                .map_err(storage)?
            && txn
                .open_table(AUDIT)
                .map_err(storage)?
                .is_empty()
                .map_err(storage)?
            && txn
                .open_table(TRUSTED_KEYS)
                .map_err(storage)?
                .is_empty()
                .map_err(storage)?)
    }
}

/// Calls `f` with the record of every row of `table`, in key order.
fn each<K: redb::Key + 'static>(
    txn: &ReadTransaction,
    table: TableDefinition<K, &'static [u8]>,
    mut record: impl FnMut(&[u8]) -> Result<Record, StoreError>,
    f: &mut dyn FnMut(Record) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    for entry in txn
        .open_table(table)
        .map_err(storage)?
        .iter()
        .map_err(storage)?
    {
        f(record(entry.map_err(storage)?.1.value())?)?;
    }
    Ok(())
}

/// Writes `records` inside `txn`, keeping the sequences past every id.
fn import(txn: &WriteTransaction, records: &[Record]) -> Result<(), StoreError> {
    let mut catalog = CatalogTables::open(txn)?;
    let mut last_movement = 0;
    let (mut last_scan, mut last_audit) = (0, 0);
    for record in records {
        match record {
            Record::Product(product) => catalog.put_product(product)?,
            Record::Barcode(barcode) => catalog.put_barcode(barcode)?,
            Record::Key(key) => put(txn, API_KEYS, key.key.name.as_str(), &encode(key))?,
            Record::Plugin(plugin) => put(txn, PLUGINS, plugin.name.as_str(), &encode(plugin))?,
            Record::Component { .. } => {}
            Record::PluginStats {
                name,
                scans,
                failures,
            } => {
                txn.open_table(PLUGIN_STATS)
                    .map_err(storage)?
                    .insert(name.as_str(), (*scans, *failures))
                    .map_err(storage)?;
            }
            Record::Quarantined { name, quarantine } => {
                put(txn, QUARANTINE, name.as_str(), &encode(quarantine))?;
            }
            Record::Level {
                sku,
                location,
                level,
            } => {
                txn.open_table(STOCK)
                    .map_err(storage)?
                    .insert((sku.as_str(), location.as_str()), *level)
                    .map_err(storage)?;
            }
            Record::Movement(movement) => {
                last_movement = last_movement.max(movement.id);
                put(txn, STOCK_MOVEMENTS, movement.id, &encode(movement))?;
            }
            Record::Order(order) => {
                put(txn, PURCHASE_ORDERS, order.number.as_str(), &encode(order))?
            }
            Record::Scan { millis, entry } => {
                last_scan = last_scan.max(entry.id);
                txn.open_table(SCAN_HISTORY)
                    .map_err(storage)?
                    .insert(entry.id, (*millis, encode(entry).as_slice()))
                    .map_err(storage)?;
            }
            Record::Audit(entry) => {
                last_audit = last_audit.max(entry.id);
                put(txn, AUDIT, entry.id, &encode(entry))?;
            }
            Record::Trusted(key) => put(txn, TRUSTED_KEYS, key.name.as_str(), &encode(key))?,
            Record::RequireSigned(on) => {
                txn.open_table(SETTINGS)
                    .map_err(storage)?
                    .insert(
                        crate::trust::REQUIRE_SIGNED,
                        if *on { "true" } else { "false" },
                    )
                    .map_err(storage)?;
            }
        }
    }
    drop(catalog);
    keep_past(txn, "movements", last_movement)?;
    keep_past(txn, "scans", last_scan)?;
    keep_past(txn, "audit", last_audit)
}

fn put<'k, K: redb::Key + 'static>(
    txn: &WriteTransaction,
    table: TableDefinition<K, &'static [u8]>,
    key: impl std::borrow::Borrow<K::SelfType<'k>>,
    value: &[u8],
) -> Result<(), StoreError> {
    txn.open_table(table)
        .map_err(storage)?
        .insert(key, value)
        .map_err(storage)?;
    Ok(())
}

/// Raises the sequence `name` to at least `last`, so the next id is past it.
fn keep_past(txn: &WriteTransaction, name: &str, last: u64) -> Result<(), StoreError> {
    let mut counters = txn.open_table(COUNTERS).map_err(storage)?;
    let current = counters
        .get(name)
        .map_err(storage)?
        .map_or(0, |v| v.value());
    if last > current {
        counters.insert(name, last).map_err(storage)?;
    }
    Ok(())
}
