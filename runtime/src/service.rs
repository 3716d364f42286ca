//! The service's core, independent of transport: what the HTTP API and the
//! CLI both call.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::answer::{self, Answer};
use crate::chain::{Chain, Loaded, ScanOutcome};
use crate::plugin::LoadError;
use crate::store::Store;

/// How stale the server's view of the quarantine may get: an operator's
/// `plugin enable` reaches the running server within this time.
const QUARANTINE_REFRESH: Duration = Duration::from_secs(1);

/// Everything a request needs, shared by all connections.
pub struct Service {
    chain: Chain,
    refused: Vec<LoadError>,
    store: Store,
    policy: Policy,
    quarantined: RwLock<(Instant, Arc<HashSet<String>>)>,
    scan_slots: tokio::sync::Semaphore,
}

/// Operator settings for running plugins.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failed scans in a row that quarantine a plugin; 0 never does.
    pub quarantine_after: u32,
    /// Scans that may run at once; more wait their turn.
    pub concurrent_scans: usize,
}

impl Service {
    pub fn new(loaded: Loaded, store: Store, policy: Policy) -> Service {
        let stale = Instant::now() - QUARANTINE_REFRESH * 2;
        Service {
            chain: loaded.chain,
            refused: loaded.refused,
            store,
            policy,
            quarantined: RwLock::new((stale, Arc::default())),
            scan_slots: tokio::sync::Semaphore::new(policy.concurrent_scans.max(1)),
        }
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Plugin files that failed validation and are not in the chain.
    pub fn refused(&self) -> &[LoadError] {
        &self.refused
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Bounds how many scans run at once, so a burst of slow or hostile
    /// scans cannot claim unbounded threads and memory.
    pub fn scan_slots(&self) -> &tokio::sync::Semaphore {
        &self.scan_slots
    }

    /// Runs `data` through the plugin chain and joins a decode's lookup code
    /// to the catalog. Blocks while plugins run: call it off the async
    /// executor.
    pub fn scan(&self, data: &str) -> Answer {
        let quarantined = self.quarantined();
        let outcome = self.chain.scan(data, |name| quarantined.contains(name));
        self.quarantine_repeat_offenders(&outcome, &quarantined);
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

    /// The names of quarantined plugins, re-read from the store when the
    /// cached copy is older than [`QUARANTINE_REFRESH`].
    pub fn quarantined(&self) -> Arc<HashSet<String>> {
        let cached = self.quarantined.read().unwrap_or_else(|p| p.into_inner());
        if cached.0.elapsed() < QUARANTINE_REFRESH {
            return cached.1.clone();
        }
        drop(cached);
        let names = match self.store.quarantined_plugins() {
            Ok(records) => Arc::new(records.into_keys().collect()),
            Err(error) => {
                tracing::error!(
                    "cannot read the plugin quarantine, keeping the last copy: {error}"
                );
                self.quarantined
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .1
                    .clone()
            }
        };
        *self.quarantined.write().unwrap_or_else(|p| p.into_inner()) =
            (Instant::now(), names.clone());
        names
    }

    fn quarantine_repeat_offenders(&self, outcome: &ScanOutcome, quarantined: &HashSet<String>) {
        let threshold = self.policy.quarantine_after;
        for failure in outcome.failures() {
            if threshold == 0
                || failure.in_a_row < threshold
                || quarantined.contains(&failure.plugin)
            {
                continue;
            }
            let reason = format!(
                "{} failed scans in a row; the last {}",
                failure.in_a_row, failure.failure
            );
            match self.store.quarantine_plugin(&failure.plugin, &reason) {
                Ok(()) => tracing::warn!(
                    "plugin {} quarantined: {reason}. It is skipped until an operator runs \
                     `barcoded plugin enable {}`",
                    failure.plugin,
                    failure.plugin
                ),
                Err(error) => {
                    tracing::error!("cannot quarantine plugin {}: {error}", failure.plugin)
                }
            }
            // Seen at once by this server, not only after the next refresh.
            let mut cached = self.quarantined.write().unwrap_or_else(|p| p.into_inner());
            let mut names = (*cached.1).clone();
            names.insert(failure.plugin.clone());
            cached.1 = Arc::new(names);
        }
    }
}
