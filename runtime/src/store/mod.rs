//! The embedded store, in one redb file: the catalog (products and their
//! barcodes), API keys, installed plugins, stock and purchase orders, and
//! the scan history.
//!
//! The file is opened in redb's multi-writer mode, so the server and operator
//! commands can use it at the same time; each write transaction waits for any
//! other to finish. Every commit is durable before it returns: a crash loses
//! nothing that was committed.

mod catalog;
mod history;
mod keys;
mod plugins;
mod quarantine;
pub mod records;
mod schema;
mod stock;

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use redb::{ConcurrencyMode, Database, ReadTransaction, ReadableDatabase, WriteTransaction};

pub use catalog::{CatalogCounts, Lookup};
pub use history::{
    Actions, HistoryEntry, HistoryPage, HistoryQuery, RefusedCall, Retention, ScanKind, ScanRecord,
};
pub use keys::{ApiKey, Role};
pub use plugins::PluginRecord;
pub use quarantine::Quarantine;
pub use stock::{
    Actor, Booked, Booking, Movement, OrderLine, PurchaseOrder, Receipt, ReceivedLine, StockChange,
};

/// The store's file name inside the data folder.
pub const FILE_NAME: &str = "catalog.redb";

/// How old a shared read snapshot may get before a reader takes a new one.
/// Starting a read transaction in multi-writer mode locks and re-reads the
/// file header, which at thousands of requests a second costs more than the
/// reads themselves; readers within this window share one instead. This
/// process's own commits are seen at once; another process's (the CLI's)
/// within this time.
const SNAPSHOT_MAX_AGE: Duration = Duration::from_millis(2);

/// The store; cheap to share between threads behind an `Arc`.
pub struct Store {
    db: Database,
    snapshot: RwLock<Option<Snapshot>>,
    /// Commits made through this handle; a snapshot older than the last
    /// one is never handed out.
    commits: AtomicU64,
}

/// A read transaction shared by readers, and what was derived from it.
#[derive(Clone)]
struct Snapshot {
    txn: Arc<ReadTransaction>,
    taken: Instant,
    /// The value of `Store::commits` before it was taken.
    commits: u64,
    /// The API keys, parsed once per snapshot.
    keys: Arc<OnceLock<Result<Vec<keys::Credential>, String>>>,
    /// The lookup's tables, opened once per snapshot.
    catalog: Arc<OnceLock<Result<catalog::CatalogReader, String>>>,
}

impl Snapshot {
    /// The catalog's tables, opened once per snapshot.
    fn catalog(&self) -> Result<&catalog::CatalogReader, StoreError> {
        self.catalog
            .get_or_init(|| catalog::CatalogReader::open(&self.txn).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| StoreError::Storage(e.clone()))
    }
}

/// What can go wrong with a store operation.
#[derive(Debug)]
pub enum StoreError {
    /// The write would break a rule; the message says which and why.
    Refused(String),
    /// The named record does not exist.
    NotFound(String),
    /// The file could not be read or written. Internal detail: log it, never
    /// show it to a client.
    Storage(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Refused(message) | StoreError::NotFound(message) => f.write_str(message),
            StoreError::Storage(message) => write!(f, "store failure: {message}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Turns any redb error into [`StoreError::Storage`].
fn storage(error: impl Into<redb::Error>) -> StoreError {
    StoreError::Storage(error.into().to_string())
}

impl Store {
    /// Opens the store in `data_dir`, creating the folder, the file and its
    /// tables when missing.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Storage(format!(
                "cannot create the data folder {}: {e}",
                data_dir.display()
            ))
        })?;
        let path = data_dir.join(FILE_NAME);
        let db = Database::builder()
            .set_concurrency_mode(ConcurrencyMode::MultiWriter)
            .create(&path)
            .map_err(|e| StoreError::Storage(format!("cannot open {}: {e}", path.display())))?;
        let store = Store {
            db,
            snapshot: RwLock::new(None),
            commits: AtomicU64::new(0),
        };
        store.create_tables()?;
        Ok(store)
    }

    fn create_tables(&self) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(storage)?;
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
        self.commit(txn)
    }

    /// A read snapshot no older than [`SNAPSHOT_MAX_AGE`] that includes
    /// every commit made through this handle.
    fn read(&self) -> Result<Arc<ReadTransaction>, StoreError> {
        Ok(self.snapshot()?.txn)
    }

    fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let commits = self.commits.load(Ordering::Acquire);
        if let Some(cached) = &*self.snapshot.read().unwrap_or_else(|p| p.into_inner())
            && cached.commits == commits
            && cached.taken.elapsed() < SNAPSHOT_MAX_AGE
        {
            return Ok(cached.clone());
        }
        let fresh = Snapshot {
            txn: Arc::new(self.db.begin_read().map_err(storage)?),
            taken: Instant::now(),
            commits,
            keys: Arc::default(),
            catalog: Arc::default(),
        };
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }

    fn write(&self) -> Result<WriteTransaction, StoreError> {
        self.db.begin_write().map_err(storage)
    }

    /// Commits `txn` durably; readers see it from then on.
    fn commit(&self, txn: WriteTransaction) -> Result<(), StoreError> {
        txn.commit().map_err(storage)?;
        self.commits.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

fn encode<T: serde::Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record).expect("records always serialise")
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Storage(format!("corrupt record: {e}")))
}
