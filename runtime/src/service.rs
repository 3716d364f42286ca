//! The service's core, independent of transport: what the HTTP API and the
//! CLI both call.

use crate::answer::{self, Answer};
use crate::chain::{Chain, ScanOutcome};
use crate::store::Store;

/// Everything a request needs, shared by all connections.
pub struct Service {
    chain: Chain,
    store: Store,
}

impl Service {
    pub fn new(chain: Chain, store: Store) -> Service {
        Service { chain, store }
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `data` through the plugin chain and joins a decode's lookup code
    /// to the catalog. Blocks while plugins run: call it off the async
    /// executor.
    pub fn scan(&self, data: &str) -> Answer {
        let outcome = self.chain.scan(data);
        let catalog = match &outcome {
            ScanOutcome::Decoded { decode, .. } => match &decode.lookup_code {
                Some(code) => match self.store.lookup_gtin(code, decode.uom_code.as_deref()) {
                    Ok(found) => found,
                    Err(error) => return Answer::internal(&error),
                },
                None => None,
            },
            _ => None,
        };
        answer::scan_answer(data, &outcome, catalog.as_ref())
    }
}
