//! Copying a data folder's redb store, with its plugins' components, to
//! one backup file, and a data folder back from one.

use std::path::Path;

use barcoded_domain::store::StoreError;
use barcoded_store::{Paths, Store, TableCopy};

use crate::place::StorePlace;

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists already; name a new file, so that no backup is overwritten")]
    FileExists(String),
    #[error(
        "backups copy the redb store of a data folder; a PostgreSQL store is backed up with \
         PostgreSQL's own tools (pg_dump, or the provider's backups)"
    )]
    Database,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes the store at `place`, and the components its plugins run, to the
/// new file `file`. Answers each table's rows and digest.
pub fn backup(place: &StorePlace, file: &Path) -> Result<Vec<TableCopy>, BackupError> {
    if file.exists() {
        return Err(BackupError::FileExists(file.display().to_string()));
    }
    let StorePlace::Folder(data_dir) = place else {
        return Err(BackupError::Database);
    };
    let paths = Paths::new(data_dir);
    Ok(Store::open(data_dir)?.backup(file, |digest| std::fs::read(paths.component(digest)))?)
}

/// Restores the backup `file` into the data folder of `place`. Answers
/// each table's rows and digest.
pub fn restore(place: &StorePlace, file: &Path) -> Result<Vec<TableCopy>, BackupError> {
    let StorePlace::Folder(data_dir) = place else {
        return Err(BackupError::Database);
    };
    let paths = Paths::new(data_dir);
    Ok(Store::restore(data_dir, file, |digest, bytes| {
        paths.store_component(digest, bytes)
    })?)
}
