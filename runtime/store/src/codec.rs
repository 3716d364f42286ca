//! How records are kept in redb's tables (JSON values), and how redb's
//! errors become the store's.

use redb::{ReadableTable, WriteTransaction};

use barcoded_domain::store::StoreError;

use crate::schema;

/// Turns a redb error into [`StoreError::Unavailable`] when the file could
/// not be read or written, and [`StoreError::Storage`] otherwise. A file
/// cut short is damaged, not unavailable: retrying cannot help.
pub(crate) fn storage(error: impl Into<redb::Error>) -> StoreError {
    match error.into() {
        redb::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            StoreError::storage(io.to_string()).caused_by(io)
        }
        error @ (redb::Error::Io(_) | redb::Error::PreviousIo) => {
            StoreError::unavailable(error.to_string()).caused_by(error)
        }
        error => StoreError::storage(error.to_string()).caused_by(error),
    }
}

/// Adds `by` to the counter `name` in `txn` and returns its new value; past
/// `u64::MAX` it refuses rather than wrapping.
pub(crate) fn raise_counter(
    txn: &WriteTransaction,
    name: &str,
    by: u64,
) -> Result<u64, StoreError> {
    let mut counters = txn.open_table(schema::COUNTERS).map_err(storage)?;
    let value = counters
        .get(name)
        .map_err(storage)?
        .map_or(0, |value| value.value());
    let raised = value
        .checked_add(by)
        .ok_or_else(|| StoreError::storage(format!("the store's `{name}` counter is exhausted")))?;
    counters.insert(name, raised).map_err(storage)?;
    Ok(raised)
}

pub(crate) fn encode<T: serde::Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record).expect("records always serialise")
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes)
        .map_err(|e| StoreError::storage(format!("corrupt record: {e}")).caused_by(e))
}
