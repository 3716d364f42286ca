//! One redb handle on the store's file, reopened after it fails.
//!
//! redb refuses every transaction on a handle whose write failed (a full
//! disk, an I/O error) until it is closed and opened again. The store keeps
//! one handle for reading and one for writing, so that a failed write
//! cannot stop the reads, and reopens whichever failed once it works again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use redb::{ConcurrencyMode, Database, StorageError, TransactionError};

use barcoded_domain::store::StoreError;

use crate::codec::storage;

/// How often a handle whose file failed is reopened, at most.
const REOPEN_INTERVAL: Duration = Duration::from_millis(500);

pub(super) struct Handle {
    path: PathBuf,
    cache_bytes: usize,
    db: RwLock<Arc<Database>>,
    /// When the handle was last reopened after a failure.
    reopened: Mutex<Option<Instant>>,
}

impl Handle {
    /// Opens a handle on `path` whose page cache holds up to `cache_bytes`.
    pub(super) fn open(path: &Path, cache_bytes: usize) -> Result<Handle, StoreError> {
        Ok(Handle {
            path: path.to_owned(),
            cache_bytes,
            db: RwLock::new(Arc::new(open_database(path, cache_bytes)?)),
            reopened: Mutex::new(None),
        })
    }

    /// Begins a transaction, reopening the handle and trying once more if
    /// it failed earlier: the store recovers by itself once the disk works
    /// again, and nothing committed is lost.
    pub(super) fn begin<T>(
        &self,
        begin: impl Fn(&Database) -> Result<T, TransactionError>,
    ) -> Result<T, StoreError> {
        let db = self.current();
        match begin(&db) {
            Err(TransactionError::Storage(StorageError::PreviousIo)) => {
                self.reopen(&db)?;
                begin(&self.current()).map_err(storage)
            }
            began => began.map_err(storage),
        }
    }

    fn current(&self) -> Arc<Database> {
        self.db.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces `failed` with a fresh handle on the file, unless another
    /// thread already did, or tried less than [`REOPEN_INTERVAL`] ago.
    fn reopen(&self, failed: &Arc<Database>) -> Result<(), StoreError> {
        let mut reopened = self.reopened.lock().unwrap_or_else(|p| p.into_inner());
        if !Arc::ptr_eq(failed, &self.current()) {
            return Ok(());
        }
        if reopened.is_some_and(|at| at.elapsed() < REOPEN_INTERVAL) {
            return Err(StoreError::unavailable(
                "the store's file failed and was reopened moments ago",
            ));
        }
        *reopened = Some(Instant::now());
        let db = open_database(&self.path, self.cache_bytes)?;
        *self.db.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(db);
        tracing::warn!("the store's file failed earlier and was reopened");
        Ok(())
    }
}

/// Opens the file in multi-writer mode, so that the CLI's processes and this
/// one's two handles share it.
fn open_database(path: &Path, cache_bytes: usize) -> Result<Database, StoreError> {
    Database::builder()
        .set_concurrency_mode(ConcurrencyMode::MultiWriter)
        .set_cache_size(cache_bytes)
        .create(path)
        .map_err(|e| {
            let unavailable = matches!(
                e,
                redb::DatabaseError::Storage(StorageError::Io(_) | StorageError::PreviousIo)
            );
            let message = format!("cannot open {}: {e}", path.display());
            if unavailable {
                StoreError::unavailable(message)
            } else {
                StoreError::storage(message)
            }
            .caused_by(e)
        })
}
