//! What can go wrong with a store operation, whichever backend runs it.

use crate::Invalid;

/// What can go wrong with a store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write would break a rule; the message says which and why.
    #[error("{0}")]
    Refused(String),
    /// The named record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The file could not be read or written because the disk is full or
    /// failing; retrying later may succeed, and the store reopens itself
    /// once it can. Internal detail: log it, never show it to a client.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The file could not be read or written. Internal detail: log it, never
    /// show it to a client.
    #[error("store failure: {0}")]
    Storage(String),
}

impl StoreError {
    /// The same error, for a second caller.
    pub fn duplicate(&self) -> StoreError {
        match self {
            StoreError::Refused(message) => StoreError::Refused(message.clone()),
            StoreError::NotFound(message) => StoreError::NotFound(message.clone()),
            StoreError::Unavailable(message) => StoreError::Unavailable(message.clone()),
            StoreError::Storage(message) => StoreError::Storage(message.clone()),
        }
    }
}

impl From<Invalid> for StoreError {
    fn from(invalid: Invalid) -> StoreError {
        StoreError::Refused(invalid.0)
    }
}
