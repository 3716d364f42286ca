//! The service's core, independent of transport: what the HTTP API and the
//! CLI both call.

use crate::answer::{self, Answer};
use crate::chain::Chain;

/// Everything a request needs, shared by all connections.
pub struct Service {
    chain: Chain,
}

impl Service {
    pub fn new(chain: Chain) -> Service {
        Service { chain }
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Runs `data` through the plugin chain. Blocks while plugins run: call
    /// it off the async executor.
    pub fn scan(&self, data: &str) -> Answer {
        answer::scan_answer(data, &self.chain.scan(data))
    }
}
