//! The service's core, independent of transport: what the HTTP API and the
//! CLI both call. Its operations answer with what happened, never with a
//! status or an exit code: the edges decide those.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use barcoded_domain::store::{Linked, Storage, StoreError, StoreState};
use barcoded_domain::{
    Actions, Admin, Barcode, Booking, HistoryEntry, Product, Retention, ScanKind, ScanRecord,
};
use barcoded_sandbox::{Chain, LoadError, PluginFailure, ScanOutcome, Server};

use crate::backend::Backend;
use crate::history_writer::HistoryWriter;
use crate::metrics::{Levels, Metrics};
use crate::office::Office;
use crate::place::StorePlace;
use crate::registry::{EngineError, InstallError, InstallRequest, Installed};
use crate::registry::{Loaded, Registry};
use crate::server::StoreServer;

/// How stale the server's view of the quarantine may get: an operator's
/// `plugin enable` reaches the running server within this time.
const QUARANTINE_REFRESH: Duration = Duration::from_secs(1);

/// Everything a request needs, shared by all connections.
pub struct Service {
    registry: Arc<Registry>,
    plugins: RwLock<Plugins>,
    pub(crate) backend: Backend,
    office: Office,
    /// The store as plugins' granted calls reach it.
    pub(crate) server: Arc<dyn Server>,
    history: HistoryWriter,
    policy: RwLock<Policy>,
    quarantined: RwLock<(Instant, Arc<HashSet<String>>)>,
    /// Plugins this server quarantined whose store write has not landed
    /// yet: a refresh from the store keeps them quarantined meanwhile.
    quarantining: Arc<Mutex<HashSet<String>>>,
    scan_slots: tokio::sync::Semaphore,
}

/// Operator settings a running service may change ([`Service::set_policy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Whether `pos` keys may link and unlink barcodes; otherwise only
    /// `admin` keys may.
    pub pos_may_link: bool,
    /// Failed scans in a row that quarantine a plugin; 0 never does.
    pub quarantine_after: u32,
    /// How much scan history to keep.
    pub history: Retention,
}

/// The plugins in use: a scan takes the chain it starts with and keeps it,
/// so a reload never changes the plugins under a scan in flight.
struct Plugins {
    chain: Arc<Chain>,
    refused: Arc<Vec<LoadError>>,
    generation: u64,
}

/// What a service runs on.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Where plugins' components and this node's compiled-code cache are
    /// kept (created if missing); the redb store too, unless `store` names
    /// a database.
    pub data_dir: PathBuf,
    pub store: StorePlace,
    /// Ask every plugin about every scan, ignoring what plugins declare
    /// they may claim (for finding a plugin whose claims are too narrow).
    pub ask_every_plugin: bool,
    /// Scans that may run at once; more wait their turn.
    pub concurrent_scans: usize,
    pub policy: Policy,
}

impl Service {
    /// Opens the store, loads the installed plugins and builds the service.
    /// Blocks while it connects and compiles: call it where a thread may.
    pub fn open(setup: &Setup) -> Result<Service, OpenError> {
        barcoded_store::files::create_private_dir(&setup.data_dir).map_err(|source| {
            OpenError::DataFolder {
                path: setup.data_dir.clone(),
                source,
            }
        })?;
        let registry = Registry::new(&setup.data_dir)?;
        let registry = if setup.ask_every_plugin {
            registry.asking_every_plugin()
        } else {
            registry
        };
        Service::with(registry, setup.store.open()?, setup)
    }

    fn with(
        registry: Registry,
        store: Arc<dyn Storage>,
        setup: &Setup,
    ) -> Result<Service, OpenError> {
        let policy = setup.policy;
        let generation = store.plugins_generation()?;
        let loaded = registry.load(store.as_ref())?;
        report(&loaded);
        let stale = Instant::now() - QUARANTINE_REFRESH * 2;
        Ok(Service {
            history: HistoryWriter::start(store.clone(), policy.history)
                .map_err(OpenError::HistoryWriter)?,
            registry: Arc::new(registry),
            plugins: RwLock::new(Plugins {
                chain: Arc::new(loaded.chain),
                refused: Arc::new(loaded.refused),
                generation,
            }),
            server: Arc::new(StoreServer(Backend::new(store.clone()))),
            office: Office::of(Backend::new(store.clone())),
            backend: Backend::new(store),
            policy: RwLock::new(policy),
            quarantined: RwLock::new((stale, Arc::default())),
            quarantining: Arc::default(),
            scan_slots: tokio::sync::Semaphore::new(setup.concurrent_scans.max(1)),
        })
    }

    /// The chain scans use now.
    pub fn chain(&self) -> Arc<Chain> {
        self.plugins
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .chain
            .clone()
    }

    /// Installed plugins that could not be loaded, and why.
    pub fn refused(&self) -> Arc<Vec<LoadError>> {
        self.plugins
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .refused
            .clone()
    }

    /// Reloads the plugins if the registry changed since the last load, and
    /// says whether it did. Compiles new plugins: call it off the executor.
    pub fn reload_if_changed(&self) -> Result<bool, StoreError> {
        let store = self.backend.blocking_store();
        let generation = store.plugins_generation()?;
        if generation
            == self
                .plugins
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .generation
        {
            return Ok(false);
        }
        let loaded = self.registry.load(store.as_ref())?;
        report(&loaded);
        let fresh = Plugins {
            chain: Arc::new(loaded.chain),
            refused: Arc::new(loaded.refused),
            generation,
        };
        let old = std::mem::replace(
            &mut *self.plugins.write().unwrap_or_else(|p| p.into_inner()),
            fresh,
        );
        self.flush_counts(&old.chain);
        tracing::info!("plugins reloaded (registry generation {generation})");
        Ok(true)
    }

    /// Writes what is still in memory: the scan history queued for writing
    /// and the plugins' counters. Scans after this are not recorded.
    pub fn close(&self) {
        self.history.close();
        self.flush_stats();
    }

    /// Adds the scans and failures counted since the last flush to the
    /// registry's totals. Writes to the store: call it off the executor.
    pub fn flush_stats(&self) {
        self.flush_counts(&self.chain());
    }

    fn flush_counts(&self, chain: &Chain) {
        let deltas: Vec<(String, u64, u64)> = chain
            .plugins()
            .iter()
            .map(|plugin| {
                let (scans, failures) = plugin.take_counts();
                (plugin.name().to_owned(), scans, failures)
            })
            .filter(|(_, scans, _)| *scans > 0)
            .collect();
        if !deltas.is_empty()
            && let Err(error) = self.backend.blocking_store().add_plugin_stats(&deltas)
        {
            tracing::error!("cannot record plugin statistics: {error}");
        }
    }

    /// The operator's settings it runs with now.
    pub fn policy(&self) -> Policy {
        *self.policy.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs with `policy` from the next request on; scans in flight finish
    /// under the one they started with.
    pub fn set_policy(&self, policy: Policy) {
        self.history.set_retention(policy.history);
        *self.policy.write().unwrap_or_else(|p| p.into_inner()) = policy;
    }

    /// The store's records: keys, lookups, links, stock, history, plugin
    /// records.
    pub fn office(&self) -> &Office {
        &self.office
    }

    /// Validates the component `bytes` and installs it as `request` asks;
    /// running servers load it within their reload poll. Compiles it,
    /// where a thread may block.
    pub async fn install(
        &self,
        by: &Admin,
        bytes: Vec<u8>,
        request: InstallRequest,
    ) -> Result<Installed, InstallError> {
        let (by, registry) = (by.clone(), self.registry.clone());
        self.backend
            .write(move |store| {
                let installed = registry.install(store, &bytes, &request)?;
                installed.audit(store, &by);
                Ok(installed)
            })
            .await
    }

    /// What the server counts.
    pub fn metrics(&self) -> &Metrics {
        self.registry.metrics()
    }

    /// The metrics as OpenMetrics text, the levels read now.
    pub async fn encode_metrics(&self) -> String {
        let store_bytes = self.backend.read(|store| store.size_bytes()).await;
        self.metrics().encode(&Levels {
            history_queue: self.history.queued(),
            store_bytes: store_bytes.unwrap_or(0),
        })
    }

    /// Whether the service can do its work, and what it runs. After a
    /// failed write the store tries a write, which may wait for another's.
    pub async fn health(&self) -> Health {
        let store = self.backend.write(|store| store.state()).await;
        Health {
            store,
            plugins: self.chain().plugins().len(),
            refused: self.refused().len(),
            quarantined: self.quarantined().await.len(),
        }
    }

    /// Waits for one of the scan slots, which bound how many plugin runs
    /// (scans, receipts, links) are in flight at once, so that a burst of
    /// slow or hostile ones cannot claim unbounded threads and memory. Hold
    /// the permit for the run.
    pub(crate) async fn scan_slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // The slots are never closed, so this only waits.
        self.scan_slots.acquire().await.ok()
    }

    /// Runs `data` through the plugin chain, joins a decode's lookup code to
    /// the catalog, books what the decoding plugin asked for and records the
    /// scan in the history under `key` (the API key's name). Plugins run on
    /// the polling thread, yielding at each epoch tick; a booking is awaited
    /// until it is durable. Fails only when the store does.
    pub async fn scan(&self, data: &str, key: Option<&str>) -> Result<Scanned, StoreError> {
        let _slot = self.scan_slot().await;
        let started = Instant::now();
        let quarantined = self.quarantined().await;
        let chain = self.chain();
        let mut outcome = chain
            .scan(data, |name| quarantined.contains(name), Some(&self.server))
            .await;
        self.quarantine_repeat_offenders(outcome.failures(), &quarantined);
        let requests = outcome.take_requests();
        let matched = self.catalog_match(data, &outcome).await;
        let entry = HistoryEntry {
            id: 0,
            time: String::new(),
            key: key.map(str::to_owned),
            barcode_data: data.to_owned(),
            result: scan_kind(&outcome, &matched),
            plugin: outcome.plugin().map(str::to_owned),
            format: outcome.format().map(str::to_owned),
            lookup_code: match &matched {
                Ok(CatalogMatch {
                    linked: true,
                    barcode: Some(link),
                    ..
                }) => Some(link.barcode.clone()),
                _ => outcome.lookup_code().map(str::to_owned),
            },
            duration_us: started.elapsed().as_micros() as u64,
            actions: Actions {
                refused: requests.refused,
                ..Actions::default()
            },
        };
        let matched = match matched {
            Ok(found) => found,
            Err(error) => {
                self.history.record(ScanRecord {
                    entry,
                    booking: Booking::default(),
                });
                return Err(error);
            }
        };
        let actions = self.record(entry, requests.booking).await?;
        self.metrics().scanned(started.elapsed());
        Ok(Scanned {
            outcome,
            matched,
            actions,
        })
    }

    /// Records a scan in the history. One that books something is written
    /// at once, with its booking, and this returns once both are durable;
    /// one that books nothing is queued. Returns what the scan did.
    pub(crate) async fn record(
        &self,
        entry: HistoryEntry,
        booking: Booking,
    ) -> Result<Actions, StoreError> {
        if booking.is_empty() {
            let actions = entry.actions.clone();
            self.history.record(ScanRecord { entry, booking });
            return Ok(actions);
        }
        let written = self.history.book(ScanRecord { entry, booking }).await?;
        Ok(written.actions)
    }

    /// The catalog's records for a decode's lookup code: the active barcode
    /// record (GTINs in any length) and its product; else the product whose
    /// SKU the code is, as the service's own product QR codes name it; else
    /// the one product listing it as a supplier part number. When no plugin
    /// recognised `data`, the link it was given, if any.
    async fn catalog_match(
        &self,
        data: &str,
        outcome: &ScanOutcome,
    ) -> Result<CatalogMatch, StoreError> {
        match outcome {
            ScanOutcome::Decoded { decode, .. } => {
                let Some(code) = decode.lookup_code.clone() else {
                    return Ok(CatalogMatch::default());
                };
                let uom = decode.uom_code.clone();
                self.backend
                    .read(move |store| CatalogMatch::of_code(store, &code, uom.as_deref()))
                    .await
            }
            ScanOutcome::Rejected { .. } => Ok(CatalogMatch::default()),
            ScanOutcome::NoMatch { .. } => {
                let Some(value) = barcoded_domain::link_value(data) else {
                    return Ok(CatalogMatch::default());
                };
                self.backend
                    .read(move |store| CatalogMatch::of_link(store, &value))
                    .await
            }
        }
    }

    /// Links `data`, a barcode no plugin recognises, to the product `sku`,
    /// so that scans and lookups of it resolve to that product from now on.
    /// Plugins are asked first, as a scan would ask them (nothing they ask
    /// to book is booked): a barcode a plugin recognises is refused, since
    /// its scans never reach the link.
    pub async fn link(&self, by: &Admin, data: &str, sku: &str) -> Result<Linked, LinkError> {
        let value = barcoded_domain::link_value(data).ok_or_else(|| {
            LinkError::Invalid(
                "the barcode has no printable characters left once its separators and \
                 control characters are removed"
                    .to_owned(),
            )
        })?;
        Barcode::check_value(&value).map_err(|invalid| LinkError::Invalid(invalid.0))?;
        let _slot = self.scan_slot().await;
        let quarantined = self.quarantined().await;
        let outcome = self
            .chain()
            .scan(data, |name| quarantined.contains(name), Some(&self.server))
            .await;
        if let Some(plugin) = outcome.plugin() {
            return Err(LinkError::Claimed {
                plugin: plugin.to_owned(),
            });
        }
        let (by, sku) = (by.clone(), sku.to_owned());
        Ok(self
            .backend
            .write(move |store| {
                let linked = store.link(&value, &sku)?;
                crate::audit::record(store, &by, "link.create", &sku, &value);
                Ok::<_, StoreError>(linked)
            })
            .await?)
    }

    /// The names of quarantined plugins, re-read from the store when the
    /// cached copy is older than `QUARANTINE_REFRESH`.
    pub async fn quarantined(&self) -> Arc<HashSet<String>> {
        {
            let cached = self.quarantined.read().unwrap_or_else(|p| p.into_inner());
            if cached.0.elapsed() < QUARANTINE_REFRESH {
                return cached.1.clone();
            }
        }
        let read = self.backend.read(|store| store.quarantined_plugins());
        let names = match read.await {
            Ok(records) => {
                let mut names: HashSet<String> = records.into_keys().collect();
                names.extend(lock(&self.quarantining).iter().cloned());
                Arc::new(names)
            }
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

    pub(crate) fn quarantine_repeat_offenders(
        &self,
        failures: &[PluginFailure],
        quarantined: &HashSet<String>,
    ) {
        let threshold = self.policy().quarantine_after;
        for failure in failures {
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
            self.metrics().quarantined(&failure.plugin);
            let store = self.backend.blocking_store().clone();
            let plugin = failure.plugin.clone();
            let pending = self.quarantining.clone();
            lock(&pending).insert(plugin.clone());
            off_the_executor(move || {
                match store.quarantine_plugin(&plugin, &reason) {
                    Ok(()) => tracing::warn!(
                        "plugin {plugin} quarantined: {reason}. It is skipped until an operator \
                         runs `barcoded plugin enable {plugin}`"
                    ),
                    Err(error) => tracing::error!("cannot quarantine plugin {plugin}: {error}"),
                }
                lock(&pending).remove(&plugin);
            });
            // Seen at once by this server, not only after the store's write.
            let mut cached = self.quarantined.write().unwrap_or_else(|p| p.into_inner());
            let mut names = (*cached.1).clone();
            names.insert(failure.plugin.clone());
            cached.1 = Arc::new(names);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `write` on Tokio's blocking pool when called on the runtime (a write
/// transaction may wait for another writer, such as a catalog import), and
/// in place otherwise.
fn off_the_executor(write: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn_blocking(write)),
        Err(_) => write(),
    }
}

/// What a scan came to: the plugins' verdict, the catalog's records for
/// it, and what it booked.
#[derive(Debug)]
pub struct Scanned {
    pub outcome: ScanOutcome,
    pub matched: CatalogMatch,
    pub actions: Actions,
}

impl Scanned {
    /// Whether the scan resolved: a plugin decoded it, or it was linked.
    pub fn resolved(&self) -> bool {
        matches!(self.outcome, ScanOutcome::Decoded { .. }) || self.matched.linked
    }
}

/// What a scan resolved to in the catalog.
#[derive(Debug, Default)]
pub struct CatalogMatch {
    pub barcode: Option<Barcode>,
    pub product: Option<Product>,
    /// No plugin recognised the data; `barcode` is its link.
    pub linked: bool,
}

impl CatalogMatch {
    fn found(barcode: Option<Barcode>, product: Option<Product>) -> CatalogMatch {
        CatalogMatch {
            barcode,
            product,
            linked: false,
        }
    }

    /// The records for a decode's lookup `code` (see `Service::catalog_match`).
    fn of_code(
        store: &dyn Storage,
        code: &str,
        uom: Option<&str>,
    ) -> Result<CatalogMatch, StoreError> {
        if let Some(found) = store.lookup_gtin(code, uom)? {
            return Ok(CatalogMatch::found(Some(found.barcode), found.product));
        }
        if let Some(product) = store.product(code)? {
            return Ok(CatalogMatch::found(None, Some(product)));
        }
        let mut by_part = store.products_by_supplier_part(code, 2)?;
        Ok(CatalogMatch::found(
            None,
            by_part.pop().filter(|_| by_part.is_empty()),
        ))
    }

    /// The link made for the barcode `value`, if any.
    fn of_link(store: &dyn Storage, value: &str) -> Result<CatalogMatch, StoreError> {
        Ok(match store.linked(value)? {
            Some(found) => CatalogMatch {
                barcode: Some(found.barcode),
                product: found.product,
                linked: true,
            },
            None => CatalogMatch::default(),
        })
    }
}

/// Whether the service can do its work: the store's state, and how many
/// plugins it runs, could not load, and has quarantined.
#[derive(Debug, Clone, Copy)]
pub struct Health {
    pub store: StoreState,
    pub plugins: usize,
    pub refused: usize,
    pub quarantined: usize,
}

impl Health {
    /// Whether the service can take requests: its store reads and writes.
    pub fn ready(&self) -> bool {
        self.store == StoreState::Ok
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data folder {}: {source}", path.display())]
    DataFolder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the history writer: {0}")]
    HistoryWriter(std::io::Error),
}

/// Why a barcode could not be linked.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The data cannot be kept as a link; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// A plugin recognises the barcode, so its scans never reach a link.
    #[error(
        "plugin {plugin} recognises this barcode, so its scans never reach a link; link only \
         barcodes that no plugin knows"
    )]
    Claimed { plugin: String },
    /// The store refused (no such product, or the value already resolves
    /// to a record) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the history files a scan, given what the catalog join found.
fn scan_kind(outcome: &ScanOutcome, matched: &Result<CatalogMatch, StoreError>) -> ScanKind {
    match (outcome, matched) {
        (_, Err(_)) => ScanKind::Error,
        (_, Ok(CatalogMatch { linked: true, .. })) => ScanKind::Linked,
        (ScanOutcome::Decoded { .. }, _) => ScanKind::Decoded,
        (ScanOutcome::Rejected { .. }, _) => ScanKind::Rejected,
        (ScanOutcome::NoMatch { .. }, _) => ScanKind::NoMatch,
    }
}

/// Logs what was loaded and what was refused.
fn report(loaded: &Loaded) {
    for refused in &loaded.refused {
        tracing::error!("{refused}; it is not loaded");
    }
    for plugin in loaded.chain.plugins() {
        let info = plugin.info();
        tracing::info!(
            "loaded plugin {} (priority {}): {} {} by {}",
            plugin.name(),
            plugin.priority(),
            info.title,
            info.version,
            info.author
        );
    }
    if loaded.chain.plugins().is_empty() {
        tracing::warn!(
            "no plugins are enabled: every scan will answer \"no match\". Install one with \
             `barcoded plugin install FILE.wasm`"
        );
    }
}
