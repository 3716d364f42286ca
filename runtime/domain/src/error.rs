//! What can go wrong with a store operation, whichever backend runs it.

use std::error::Error;
use std::sync::Arc;

use crate::Invalid;

/// What a store failure came from (an I/O, redb or PostgreSQL error), kept
/// for the log; shared, so that the error can be handed to several callers.
pub type Cause = Arc<dyn Error + Send + Sync>;

/// What can go wrong with a store operation.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The write would break a rule; the message says which and why.
    #[error("{0}")]
    Refused(String),
    /// The named record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The file or database could not be reached, or its disk is full or
    /// failing; retrying later may succeed, and the store reopens itself
    /// once it can. Internal detail: log it, never show it to a client.
    #[error("store unavailable: {detail}")]
    Unavailable {
        detail: String,
        #[source]
        cause: Option<Cause>,
    },
    /// The file or database could not be read or written. Internal detail:
    /// log it, never show it to a client.
    #[error("store failure: {detail}")]
    Storage {
        detail: String,
        #[source]
        cause: Option<Cause>,
    },
}

impl StoreError {
    /// A failure described by `detail`.
    pub fn storage(detail: impl Into<String>) -> StoreError {
        StoreError::Storage {
            detail: detail.into(),
            cause: None,
        }
    }

    /// The store out of reach, as `detail` describes.
    pub fn unavailable(detail: impl Into<String>) -> StoreError {
        StoreError::Unavailable {
            detail: detail.into(),
            cause: None,
        }
    }

    /// The same failure, caused by `cause`; a refusal is left as it is.
    pub fn caused_by(self, cause: impl Error + Send + Sync + 'static) -> StoreError {
        let cause = Some(Arc::new(cause) as Cause);
        match self {
            StoreError::Unavailable { detail, .. } => StoreError::Unavailable { detail, cause },
            StoreError::Storage { detail, .. } => StoreError::Storage { detail, cause },
            refusal => refusal,
        }
    }
}

impl From<Invalid> for StoreError {
    fn from(invalid: Invalid) -> StoreError {
        StoreError::Refused(invalid.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_keeps_its_cause_for_the_log_and_says_only_its_detail() {
        let io = std::io::Error::other("disk on fire");
        let error = StoreError::unavailable("cannot write catalog.redb").caused_by(io);
        assert_eq!(
            error.to_string(),
            "store unavailable: cannot write catalog.redb"
        );
        assert_eq!(error.source().unwrap().to_string(), "disk on fire");
        let copy = error.clone();
        assert_eq!(copy.source().unwrap().to_string(), "disk on fire");
        let refusal = StoreError::Refused("no".into()).caused_by(std::io::Error::other("x"));
        assert!(refusal.source().is_none());
    }
}
