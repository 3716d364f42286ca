//! What the server counts, in Prometheus' terms: scans by plugin and
//! outcome, limits hit, quarantines, refused host calls, latencies, HTTP
//! requests, and at each scrape the history queue, the store's size and the
//! code cache. Every metric is named and explained in docs/operating.md.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use barcoded_sandbox::{Failure, Observation, Observer, Verdict};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginScan {
    plugin: String,
    /// `decoded`, `invalid`, `not_mine` or `failed`.
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginLimit {
    plugin: String,
    limit: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginName {
    plugin: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusedHostCall {
    plugin: String,
    call: String,
    error: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    route: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionClosed {
    reason: &'static str,
}

/// Latency buckets from 10 µs to about 5 s, doubling.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(1e-5, 2.0, 20))
}

type PluginHistograms = Family<PluginName, Histogram, fn() -> Histogram>;

/// The server's metrics; cheap to update from any thread.
#[derive(Debug)]
pub struct Metrics {
    plugin_scans: Family<PluginScan, Counter>,
    limits: Family<PluginLimit, Counter>,
    quarantines: Family<PluginName, Counter>,
    refused_calls: Family<RefusedHostCall, Counter>,
    instantiate: PluginHistograms,
    call: PluginHistograms,
    scan: Histogram,
    lookup: Histogram,
    requests: Family<Request, Counter>,
    connections_closed: Family<ConnectionClosed, Counter>,
    history_queue: Gauge,
    store_bytes: Gauge,
    cache_hits: Counter,
    cache_misses: Counter,
    registry: Registry,
}

/// Read at each scrape.
pub struct Levels {
    pub history_queue: u64,
    pub store_bytes: u64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let metrics = Metrics {
            plugin_scans: Family::default(),
            limits: Family::default(),
            quarantines: Family::default(),
            refused_calls: Family::default(),
            instantiate: Family::new_with_constructor(latency),
            call: Family::new_with_constructor(latency),
            scan: latency(),
            lookup: latency(),
            requests: Family::default(),
            connections_closed: Family::default(),
            history_queue: Gauge::default(),
            store_bytes: Gauge::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
            registry: Registry::with_prefix("barcoded"),
        };
        metrics.registered()
    }
}

impl Metrics {
    fn registered(mut self) -> Metrics {
        let r = &mut self.registry;
        r.register(
            "plugin_scans",
            "Scans each plugin was asked, by how they ended",
            self.plugin_scans.clone(),
        );
        r.register(
            "plugin_limits",
            "Scans a plugin's limit ended, by limit",
            self.limits.clone(),
        );
        r.register(
            "plugin_quarantines",
            "Times a plugin was quarantined for failing scans in a row",
            self.quarantines.clone(),
        );
        r.register(
            "plugin_refused_calls",
            "Calls from plugins to the server that were not carried out",
            self.refused_calls.clone(),
        );
        r.register(
            "plugin_instantiate_seconds",
            "Creating a plugin's fresh instance for one scan",
            self.instantiate.clone(),
        );
        r.register(
            "plugin_call_seconds",
            "A plugin's scan call, its fresh instance made",
            self.call.clone(),
        );
        r.register(
            "scan_seconds",
            "A whole scan: every plugin asked, the catalog joined, the history recorded",
            self.scan.clone(),
        );
        r.register(
            "lookup_seconds",
            "A catalog lookup (GET /api/barcode/lookup/CODE)",
            self.lookup.clone(),
        );
        r.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            self.requests.clone(),
        );
        r.register(
            "connections_closed",
            "Connections the server closed to make room or for want of a request head, by reason",
            self.connections_closed.clone(),
        );
        r.register(
            "history_queue",
            "Scans waiting to be written to the history",
            self.history_queue.clone(),
        );
        r.register(
            "store_bytes",
            "Size of the store's file",
            self.store_bytes.clone(),
        );
        r.register(
            "code_cache_hits",
            "Plugins loaded from the compiled-code cache",
            self.cache_hits.clone(),
        );
        r.register(
            "code_cache_misses",
            "Plugins compiled because the cache had no usable code",
            self.cache_misses.clone(),
        );
        self
    }

    /// A whole scan took `took`.
    pub fn scanned(&self, took: Duration) {
        self.scan.observe(took.as_secs_f64());
    }

    /// A lookup took `took`.
    pub fn looked_up(&self, took: Duration) {
        self.lookup.observe(took.as_secs_f64());
    }

    /// `plugin` was quarantined.
    pub fn quarantined(&self, plugin: &str) {
        let labels = PluginName {
            plugin: plugin.to_owned(),
        };
        self.quarantines.get_or_create(&labels).inc();
    }

    /// An HTTP request to `route` was answered with `status`.
    pub fn answered(&self, route: &'static str, status: u16) {
        self.requests
            .get_or_create(&Request { route, status })
            .inc();
    }

    /// The server closed a connection: `reason` is `refused` (full, every
    /// connection busy), `evicted_unproven`, `evicted_idle` or `head_timeout`.
    pub fn connection_closed(&self, reason: &'static str) {
        self.connections_closed
            .get_or_create(&ConnectionClosed { reason })
            .inc();
    }

    pub(crate) fn code_cache(&self, hit: bool) {
        if hit {
            self.cache_hits.inc();
        } else {
            self.cache_misses.inc();
        }
    }

    /// The metrics as OpenMetrics text, with `levels` read now.
    pub fn encode(&self, levels: &Levels) -> String {
        self.history_queue.set(gauge(levels.history_queue));
        self.store_bytes.set(gauge(levels.store_bytes));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

fn gauge(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Observer for Metrics {
    fn scanned(&self, seen: &Observation<'_>) {
        let plugin = || seen.plugin.to_owned();
        let outcome = match seen.verdict {
            Ok(Verdict::Decoded(_)) => "decoded",
            Ok(Verdict::Rejected(_)) => "invalid",
            Ok(Verdict::NotMine) => "not_mine",
            Err(_) => "failed",
        };
        let labels = PluginScan {
            plugin: plugin(),
            outcome,
        };
        self.plugin_scans.get_or_create(&labels).inc();
        if let Err(Failure::Limit(limit, _)) = seen.verdict {
            let labels = PluginLimit {
                plugin: plugin(),
                limit: limit.name(),
            };
            self.limits.get_or_create(&labels).inc();
        }
        for refused in seen.refused {
            let labels = RefusedHostCall {
                plugin: plugin(),
                call: refused.call.clone(),
                error: refused.error.clone(),
            };
            self.refused_calls.get_or_create(&labels).inc();
        }
        let name = PluginName { plugin: plugin() };
        if let Some(took) = seen.instantiate {
            self.instantiate
                .get_or_create(&name)
                .observe(took.as_secs_f64());
        }
        if let Some(took) = seen.call {
            self.call.get_or_create(&name).observe(took.as_secs_f64());
        }
    }
}
