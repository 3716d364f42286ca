//! Backup and restore: a consistent copy of every table, taken from one
//! read snapshot while the server runs, in a redb file of its own that also
//! carries the installed plugins' components.

use std::path::Path;

use redb::{
    Database, Key, MultimapTableDefinition, MultimapTableHandle, ReadTransaction, ReadableDatabase,
    ReadableMultimapTable, ReadableTable, TableDefinition, TableHandle, Value, WriteTransaction,
};
use sha2::{Digest, Sha256};

use super::schema::*;
use barcoded_domain::PluginRecord;

use crate::codec::{decode, storage};
use crate::files;
use crate::table_copy::TableCopy;
use crate::{FILE_NAME, Store, StoreError};

/// Components by digest: in a backup file only, never in a store.
const BACKUP_COMPONENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("backup_components");

impl Store {
    /// Writes a consistent copy of the store, and the component of every
    /// installed plugin (read with `component`, by digest), to a new file
    /// at `dest`, made private and durable before it takes that name.
    pub fn backup(
        &self,
        dest: &Path,
        component: impl Fn(&str) -> std::io::Result<Vec<u8>>,
    ) -> Result<Vec<TableCopy>, StoreError> {
        let source = self.reader.begin(Database::begin_read)?;
        let plugins: Vec<PluginRecord> = {
            let table = source.open_table(PLUGINS).map_err(storage)?;
            let mut plugins = Vec::new();
            for entry in table.iter().map_err(storage)? {
                plugins.push(decode(entry.map_err(storage)?.1.value())?);
            }
            plugins
        };
        write_new(dest, |txn| {
            let copied = copy_tables(&source, txn)?;
            let mut components = txn.open_table(BACKUP_COMPONENTS).map_err(storage)?;
            for plugin in &plugins {
                let bytes = component(&plugin.digest).map_err(|e| {
                    StoreError::storage(format!(
                        "cannot read the component of {}: {e}",
                        plugin.name
                    ))
                    .caused_by(e)
                })?;
                components
                    .insert(plugin.digest.as_str(), bytes.as_slice())
                    .map_err(storage)?;
            }
            Ok(copied)
        })
    }

    /// Replaces the store in `data_dir` with the backup `from`, and writes
    /// back its components with `component` (digest, bytes). Refuses while
    /// any other process has the store open. Returns what was restored.
    pub fn restore(
        data_dir: &Path,
        from: &Path,
        component: impl Fn(&str, &[u8]) -> std::io::Result<()>,
    ) -> Result<Vec<TableCopy>, StoreError> {
        let backup = Database::builder().open(from).map_err(|e| {
            StoreError::Refused(format!("{} is not a barcoded backup: {e}", from.display()))
        })?;
        let source = backup.begin_read().map_err(storage)?;
        let components = source.open_table(BACKUP_COMPONENTS).map_err(|e| {
            StoreError::Refused(format!("{} is not a barcoded backup: {e}", from.display()))
        })?;
        files::create_private_dir(data_dir).map_err(|e| {
            StoreError::storage(format!("cannot create {}: {e}", data_dir.display())).caused_by(e)
        })?;
        let live = data_dir.join(FILE_NAME);
        // Held until the restored file takes its place: nobody may open the
        // store meanwhile.
        let _exclusive = match live.exists() {
            true => Some(Database::builder().open(&live).map_err(|e| {
                StoreError::Refused(format!(
                    "the store in {} is in use ({e}): stop `barcoded serve` and other barcoded \
                     commands on it first",
                    data_dir.display()
                ))
            })?),
            false => None,
        };
        for entry in components.iter().map_err(storage)? {
            let (digest, bytes) = entry.map_err(storage)?;
            component(digest.value(), bytes.value()).map_err(|e| {
                StoreError::storage(format!("cannot write component {}: {e}", digest.value()))
                    .caused_by(e)
            })?;
        }
        let restoring = data_dir.join(format!(".{FILE_NAME}.restoring"));
        let copied = write_new(&restoring, |txn| copy_tables(&source, txn))?;
        std::fs::rename(&restoring, &live)
            .and_then(|()| files::sync_dir(data_dir))
            .map_err(|e| {
                StoreError::storage(format!("cannot replace {}: {e}", live.display())).caused_by(e)
            })?;
        Ok(copied)
    }
}

/// Creates a redb file at `path` through a temporary beside it, fills it in
/// one transaction with `fill`, and makes it private and durable.
fn write_new<T>(
    path: &Path,
    fill: impl FnOnce(&WriteTransaction) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let written = (|| {
        let db = Database::create(&partial).map_err(|e| {
            StoreError::storage(format!("cannot create {}: {e}", partial.display())).caused_by(e)
        })?;
        files::make_private(&partial)
            .map_err(|e| StoreError::storage(e.to_string()).caused_by(e))?;
        let txn = db.begin_write().map_err(storage)?;
        let filled = fill(&txn)?;
        txn.commit().map_err(storage)?;
        drop(db);
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::rename(&partial, path)
            .and_then(|()| files::sync_dir(dir))
            .map_err(|e| {
                StoreError::storage(format!("cannot write {}: {e}", path.display())).caused_by(e)
            })?;
        Ok(filled)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Copies every table of the store's schema from `from` to `to`.
fn copy_tables(
    from: &ReadTransaction,
    to: &WriteTransaction,
) -> Result<Vec<TableCopy>, StoreError> {
    Ok(vec![
        copy(from, to, PRODUCTS)?,
        copy(from, to, BARCODES)?,
        copy_multimap(from, to, BARCODES_BY_VALUE)?,
        copy(from, to, BARCODES_BY_PACK)?,
        copy_multimap(from, to, SUPPLIER_PARTS)?,
        copy(from, to, API_KEYS)?,
        copy(from, to, QUARANTINE)?,
        copy(from, to, PLUGINS)?,
        copy(from, to, COUNTERS)?,
        copy(from, to, PLUGIN_STATS)?,
        copy(from, to, CODE_CACHE)?,
        copy(from, to, STOCK)?,
        copy(from, to, STOCK_MOVEMENTS)?,
        copy(from, to, PURCHASE_ORDERS)?,
        copy(from, to, SCAN_HISTORY)?,
        copy(from, to, AUDIT)?,
        copy(from, to, TRUSTED_KEYS)?,
        copy(from, to, SETTINGS)?,
    ])
}

fn copy<K: Key + 'static, V: Value + 'static>(
    from: &ReadTransaction,
    to: &WriteTransaction,
    definition: TableDefinition<K, V>,
) -> Result<TableCopy, StoreError> {
    let source = from.open_table(definition).map_err(storage)?;
    let mut target = to.open_table(definition).map_err(storage)?;
    let mut summary = Summary::default();
    for entry in source.iter().map_err(storage)? {
        let (key, value) = entry.map_err(storage)?;
        summary.add(
            K::as_bytes(&key.value()).as_ref(),
            V::as_bytes(&value.value()).as_ref(),
        );
        target.insert(key.value(), value.value()).map_err(storage)?;
    }
    Ok(summary.finish(definition.name()))
}

fn copy_multimap<K: Key + 'static, V: Key + 'static>(
    from: &ReadTransaction,
    to: &WriteTransaction,
    definition: MultimapTableDefinition<K, V>,
) -> Result<TableCopy, StoreError> {
    let source = from.open_multimap_table(definition).map_err(storage)?;
    let mut target = to.open_multimap_table(definition).map_err(storage)?;
    let mut summary = Summary::default();
    for entry in source.iter().map_err(storage)? {
        let (key, values) = entry.map_err(storage)?;
        for value in values {
            let value = value.map_err(storage)?;
            summary.add(
                K::as_bytes(&key.value()).as_ref(),
                V::as_bytes(&value.value()).as_ref(),
            );
            target.insert(key.value(), value.value()).map_err(storage)?;
        }
    }
    Ok(summary.finish(definition.name()))
}

#[derive(Default)]
struct Summary {
    rows: u64,
    hash: Sha256,
}

impl Summary {
    /// Counts a row, hashing each part with its length so that no two
    /// different tables hash alike.
    fn add(&mut self, key: &[u8], value: &[u8]) {
        self.rows += 1;
        for part in [key, value] {
            self.hash.update((part.len() as u64).to_le_bytes());
            self.hash.update(part);
        }
    }

    fn finish(self, table: &str) -> TableCopy {
        TableCopy {
            table: table.to_owned(),
            rows: self.rows,
            sha256: barcoded_domain::hex(&self.hash.finalize()),
        }
    }
}
