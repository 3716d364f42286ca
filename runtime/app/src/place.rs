//! Where a store's records live: the redb file of a data folder, or a
//! PostgreSQL database that a fleet of nodes shares.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use barcoded_domain::store::{Storage, StoreError};
use barcoded_store::Store;
use barcoded_store_postgres::PgStore;

/// A store, by where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorePlace {
    /// The redb file in this data folder.
    Folder(PathBuf),
    /// The PostgreSQL database at this `postgres://` URL.
    Database(String),
}

/// `--store` named something that is not a PostgreSQL URL.
#[derive(Debug, thiserror::Error)]
#[error(
    "--store takes a postgres:// URL, not {0}; leave it out to use the redb file in the data \
     folder"
)]
pub struct NotAStoreUrl(String);

impl StorePlace {
    /// The store a command works on: the database `store` names (the
    /// `--store` option), else the redb file of `data_dir`.
    pub fn chosen(data_dir: &Path, store: Option<&str>) -> Result<StorePlace, NotAStoreUrl> {
        match store.filter(|url| !url.is_empty()) {
            None => Ok(StorePlace::Folder(data_dir.to_owned())),
            Some(url) if barcoded_store_postgres::is_url(url) => {
                Ok(StorePlace::Database(url.to_owned()))
            }
            Some(other) => Err(NotAStoreUrl(barcoded_store_postgres::redacted(other))),
        }
    }

    /// A store named by a `postgres://` URL or a data folder's path, as
    /// `store migrate` names its two.
    pub fn named(place: &str) -> StorePlace {
        if barcoded_store_postgres::is_url(place) {
            StorePlace::Database(place.to_owned())
        } else {
            StorePlace::Folder(PathBuf::from(place))
        }
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_database(&self) -> bool {
        matches!(self, StorePlace::Database(_))
    }

    /// Whether a store may be there: a data folder's file exists, or it is
    /// a database (which only connecting tells).
    pub fn may_exist(&self) -> bool {
        match self {
            StorePlace::Folder(dir) => dir.join(barcoded_store::FILE_NAME).exists(),
            StorePlace::Database(_) => true,
        }
    }

    /// Opens the store, creating a data folder's file if need be. Blocks
    /// while it connects: call it where a thread may block.
    pub(crate) fn open(&self) -> Result<Arc<dyn Storage>, StoreError> {
        Ok(match self {
            StorePlace::Folder(dir) => Arc::new(Store::open(dir)?),
            StorePlace::Database(url) => Arc::new(PgStore::open(url)?),
        })
    }
}

/// A path as it is, a URL without its password.
impl fmt::Display for StorePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorePlace::Folder(dir) => write!(f, "{}", dir.display()),
            StorePlace::Database(url) => f.write_str(&barcoded_store_postgres::redacted(url)),
        }
    }
}
