//! What barcoded keeps in its data folder: in one redb file the catalog
//! (products and their barcodes), API keys, installed plugins, stock and
//! purchase orders, and the scan history; beside it the plugins' component
//! files and compiled code.
//!
//! The file is opened in redb's multi-writer mode, so the server and operator
//! commands can use it at the same time; each write transaction waits for any
//! other to finish. Every commit is durable before it returns: a crash loses
//! nothing that was committed.

mod audit;
mod backup;
mod catalog;
mod catalog_reader;
mod codec;
mod components;
pub mod files;
mod handle;
mod history;
mod keys;
mod links;
mod migrations;
mod plugins;
mod quarantine;
mod schema;
mod stock;
mod table_copy;
mod transfer;
mod trust;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use redb::{Database, ReadTransaction, ReadableDatabase, WriteTransaction};

use barcoded_domain::store::{MIN_FREE_BYTES, Storage, StoreError, StoreState};
use catalog_reader::CatalogReader;
use codec::storage;
use handle::Handle;

pub use barcoded_domain::store::LINK_TYPE;
pub use components::{Paths, digest};
pub use table_copy::TableCopy;

/// The store's file name inside the data folder.
pub const FILE_NAME: &str = "catalog.redb";

/// How old a shared read snapshot may get before a reader takes a new one.
/// Starting a read transaction in multi-writer mode locks and re-reads the
/// file header, which at thousands of requests a second costs more than the
/// reads themselves; readers within this window share one instead. This
/// process's own commits are seen at once; another process's (the CLI's)
/// within this time.
const SNAPSHOT_MAX_AGE: Duration = Duration::from_millis(2);

/// Page cache of the handle that reads: lookups in a large catalog stay in
/// memory (redb's default, stated here).
const READ_CACHE_BYTES: usize = 1 << 30;

/// Page cache of the handle that writes: enough for a batch of an import.
const WRITE_CACHE_BYTES: usize = 64 << 20;

/// The store; cheap to share between threads behind an `Arc`.
pub struct Store {
    path: PathBuf,
    /// Two handles on the file, so that a failed write cannot stop reads.
    reader: Handle,
    writer: Handle,
    snapshot: RwLock<Option<Snapshot>>,
    /// Recent lookups' answers, by the catalog generation they were read at.
    lookups: barcoded_domain::lookup_cache::LookupCache,
    /// Commits made through this handle; a snapshot older than the last
    /// one is never handed out.
    commits: AtomicU64,
    /// Whether the last write failed for want of a working disk.
    write_failed: AtomicBool,
}

/// A read transaction shared by readers, and what was derived from it.
#[derive(Clone)]
struct Snapshot {
    txn: Arc<ReadTransaction>,
    taken: Instant,
    /// The value of `Store::commits` before it was taken.
    commits: u64,
    /// The API keys, parsed once per snapshot.
    keys: Arc<OnceLock<Result<Arc<barcoded_domain::Credentials>, StoreError>>>,
    /// The lookup's tables, opened once per snapshot.
    catalog: Arc<OnceLock<Result<CatalogReader, StoreError>>>,
}

impl Snapshot {
    /// The catalog's tables, opened once per snapshot.
    fn catalog(&self) -> Result<&CatalogReader, StoreError> {
        self.catalog
            .get_or_init(|| CatalogReader::open(&self.txn))
            .as_ref()
            .map_err(StoreError::clone)
    }
}

impl Store {
    /// Opens the store in `data_dir`, creating the folder, the file and its
    /// tables when missing.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        files::create_private_dir(data_dir).map_err(|e| {
            StoreError::storage(format!(
                "cannot create the data folder {}: {e}",
                data_dir.display()
            ))
            .caused_by(e)
        })?;
        let path = data_dir.join(FILE_NAME);
        let writer = Handle::open(&path, WRITE_CACHE_BYTES)?;
        files::make_private(&path).map_err(|e| {
            StoreError::storage(format!("cannot restrict {}: {e}", path.display())).caused_by(e)
        })?;
        let store = Store {
            reader: Handle::open(&path, READ_CACHE_BYTES)?,
            writer,
            path,
            snapshot: RwLock::new(None),
            lookups: barcoded_domain::lookup_cache::LookupCache::new(),
            commits: AtomicU64::new(0),
            write_failed: AtomicBool::new(false),
        };
        store.migrate()?;
        Ok(store)
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
            txn: Arc::new(self.reader.begin(Database::begin_read)?),
            taken: Instant::now(),
            commits,
            keys: Arc::default(),
            catalog: Arc::default(),
        };
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }

    fn write(&self) -> Result<WriteTransaction, StoreError> {
        let began = self.writer.begin(Database::begin_write);
        self.note_write(&began);
        began
    }

    /// Remembers whether a write failed for want of a working disk.
    fn note_write<T>(&self, result: &Result<T, StoreError>) {
        let failed = matches!(result, Err(StoreError::Unavailable { .. }));
        self.write_failed.store(failed, Ordering::Release);
    }

    /// Space left for the service on the store's file system, if it can tell.
    fn free_bytes(&self) -> Option<u64> {
        let stats = rustix::fs::statvfs(&self.path).ok()?;
        Some(stats.f_bavail.saturating_mul(stats.f_frsize))
    }

    fn probe_write(&self) -> Result<(), StoreError> {
        let txn = self.write()?;
        txn.open_table(schema::COUNTERS)
            .map_err(storage)?
            .insert("write-probe", 0)
            .map_err(storage)?;
        self.commit(txn)
    }

    /// Commits `txn` durably; readers see it from then on.
    fn commit(&self, txn: WriteTransaction) -> Result<(), StoreError> {
        let committed = txn.commit().map_err(storage);
        self.note_write(&committed);
        committed?;
        self.commits.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

impl Storage for Store {
    /// Reads are redb read transactions: they never wait for a writer.
    fn reads_wait(&self) -> bool {
        false
    }

    fn size_bytes(&self) -> Option<u64> {
        std::fs::metadata(&self.path).ok().map(|meta| meta.len())
    }

    /// After a failed write it tries a small one, so that readiness returns
    /// as soon as writes work again.
    fn state(&self) -> StoreState {
        if self.reader.begin(Database::begin_read).is_err() {
            return StoreState::Unreadable;
        }
        if self.free_bytes().is_some_and(|free| free < MIN_FREE_BYTES) {
            return StoreState::DiskFull;
        }
        if self.write_failed.load(Ordering::Acquire) && self.probe_write().is_err() {
            return StoreState::WritesFailing;
        }
        StoreState::Ok
    }
}
