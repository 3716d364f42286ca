//! The file's schema version and the numbered migrations that bring an
//! older file up to it, as the PostgreSQL store's schema has. A file newer
//! than this build knows is refused rather than misread.

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use super::schema;
use crate::codec::storage;
use crate::{Store, StoreError};

/// The counter that holds the schema version a file was last migrated to;
/// missing in a new file and in those written before versions were kept,
/// whose tables are version 1's.
const VERSION: &str = "schema";

type Migration = fn(&WriteTransaction) -> Result<(), StoreError>;

/// Migration N brings a file of version N-1 to version N.
const MIGRATIONS: [Migration; 2] = [
    // 1: the tables of barcoded 0.1.
    |txn| {
        txn.open_table(schema::PRODUCTS).map_err(storage)?;
        txn.open_table(schema::BARCODES).map_err(storage)?;
        txn.open_multimap_table(schema::BARCODES_BY_VALUE)
            .map_err(storage)?;
        txn.open_table(schema::BARCODES_BY_PACK).map_err(storage)?;
        txn.open_table(schema::API_KEYS).map_err(storage)?;
        txn.open_table(schema::QUARANTINE).map_err(storage)?;
        txn.open_table(schema::PLUGINS).map_err(storage)?;
        txn.open_table(schema::COUNTERS).map_err(storage)?;
        txn.open_table(schema::PLUGIN_STATS).map_err(storage)?;
        txn.open_table(schema::CODE_CACHE).map_err(storage)?;
        txn.open_multimap_table(schema::SUPPLIER_PARTS)
            .map_err(storage)?;
        txn.open_table(schema::STOCK).map_err(storage)?;
        txn.open_table(schema::STOCK_MOVEMENTS).map_err(storage)?;
        txn.open_table(schema::PURCHASE_ORDERS).map_err(storage)?;
        txn.open_table(schema::SCAN_HISTORY).map_err(storage)?;
        Ok(())
    },
    // 2: the audit trail, trusted publishers and settings.
    |txn| {
        txn.open_table(schema::AUDIT).map_err(storage)?;
        txn.open_table(schema::TRUSTED_KEYS).map_err(storage)?;
        txn.open_table(schema::SETTINGS).map_err(storage)?;
        Ok(())
    },
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u64 = MIGRATIONS.len() as u64;

impl Store {
    /// Brings the file to [`SCHEMA_VERSION`]; refuses one that is newer.
    pub(crate) fn migrate(&self) -> Result<(), StoreError> {
        if self.schema_version()? == Some(SCHEMA_VERSION) {
            return Ok(());
        }
        let txn = self.write()?;
        let found = {
            let counters = txn.open_table(schema::COUNTERS).map_err(storage)?;
            counters
                .get(VERSION)
                .map_err(storage)?
                .map_or(0, |v| v.value())
        };
        self.refuse_newer(found)?;
        for migration in MIGRATIONS
            .iter()
            .skip(usize::try_from(found).unwrap_or(usize::MAX))
        {
            migration(&txn)?;
        }
        txn.open_table(schema::COUNTERS)
            .map_err(storage)?
            .insert(VERSION, SCHEMA_VERSION)
            .map_err(storage)?;
        self.commit(txn)
    }

    /// The version the file was last migrated to, read without writing.
    fn schema_version(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.reader.begin(redb::Database::begin_read)?;
        let counters = match txn.open_table(schema::COUNTERS) {
            Ok(counters) => counters,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(error) => return Err(storage(error)),
        };
        let version = counters.get(VERSION).map_err(storage)?.map(|v| v.value());
        if let Some(version) = version {
            self.refuse_newer(version)?;
        }
        Ok(version)
    }

    fn refuse_newer(&self, version: u64) -> Result<(), StoreError> {
        if version > SCHEMA_VERSION {
            return Err(StoreError::Refused(format!(
                "{} was written by a newer barcoded (schema version {version}; this one knows \
                 up to {SCHEMA_VERSION}): run that version or a later one, or restore a backup \
                 this version made",
                self.path.display()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_version(store: &Store, version: Option<u64>) {
        let txn = store.write().unwrap();
        {
            let mut counters = txn.open_table(schema::COUNTERS).unwrap();
            match version {
                Some(version) => counters.insert(VERSION, version).unwrap(),
                None => counters.remove(VERSION).unwrap(),
            };
        }
        store.commit(txn).unwrap();
    }

    #[test]
    fn a_file_from_before_versions_migrates_and_a_newer_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("barcoded-schema-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        set_version(&store, None);
        drop(store);
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(SCHEMA_VERSION));
        set_version(&store, Some(SCHEMA_VERSION + 1));
        drop(store);
        let Err(StoreError::Refused(message)) = Store::open(&dir) else {
            panic!("a newer file was opened");
        };
        assert!(message.contains("written by a newer barcoded"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
