//! One plugin: a component compiled once, pre-linked, and instantiated
//! afresh in a [`Sandbox`] for every call.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use barcoded_domain::{Capability, PluginInfo};
use regex::RegexSet;
use wasmtime::Engine;
use wasmtime::component::{Component, Instance, Linker};

use crate::bindings;
use crate::claims;
use crate::component::compile;
use crate::failure::{Failure, LoadError, classify};
use crate::host::{HostState, Requests, Server};
use crate::limits::Limits;
use crate::log::{PluginLog, escape_controls, truncate};
use crate::observer::{Observation, Observer};
use crate::receiving::{Receipt, ReceiptRequest, wit as receiving};
use crate::sandbox::{Sandbox, SandboxState};
use crate::verdict::{Decode, Rejection, Verdict, validate_info};
use bindings::exports::barcode::plugin::decoder as wit;

/// Longest line of a plugin's output that reaches the log, in characters.
const MAX_LOGGED_LINE: usize = 512;

/// A loaded, validated plugin.
pub struct Plugin {
    info: PluginInfo,
    /// The patterns it declares it may claim, and them compiled; `None`
    /// when it declares none.
    claims: Option<(Vec<String>, RegexSet)>,
    /// Where its optional `receiving` export is; `None` without one.
    receiver: Option<receiving::GuestIndices>,
    runner: Runner,
    /// Failed scans in a row; a success resets it.
    failures_in_a_row: AtomicU32,
    /// Scans and failures not yet reported by [`Plugin::take_counts`].
    scans: AtomicU64,
    failures: AtomicU64,
}

/// Instantiates a pre-linked component in a fresh sandbox per call.
struct Runner {
    name: String,
    pre: bindings::PluginPre<SandboxState>,
    settings: Settings,
    log: Arc<PluginLog>,
}

/// How the operator set up one installed plugin.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Lower runs first.
    pub priority: i32,
    pub limits: Limits,
    /// What it reads through `config`.
    pub config: Arc<BTreeMap<String, String>>,
    /// The store calls it may make.
    pub grants: Arc<BTreeSet<Capability>>,
    /// Told of every scan, for the server's metrics.
    pub observer: Option<Arc<dyn Observer>>,
}

impl Plugin {
    /// Compiles and validates a component's bytes; see [`Plugin::new`].
    pub fn load(
        engine: &Engine,
        linker: &Linker<SandboxState>,
        name: &str,
        priority: i32,
        bytes: &[u8],
        limits: Limits,
    ) -> Result<Plugin, LoadError> {
        let component = compile(engine, bytes).map_err(|error| LoadError {
            plugin: name.to_owned(),
            reason: error.to_string(),
        })?;
        let settings = Settings {
            priority,
            limits,
            ..Settings::default()
        };
        Plugin::new(linker, name, &component, settings)
    }

    /// Validates a compiled component: it must import nothing beyond WASI
    /// and the `barcode:plugin` imports, export the `barcode:plugin` world,
    /// and answer `info` within its limits.
    pub fn new(
        linker: &Linker<SandboxState>,
        name: &str,
        component: &Component,
        settings: Settings,
    ) -> Result<Plugin, LoadError> {
        let refuse = |reason: String| LoadError {
            plugin: name.to_owned(),
            reason,
        };
        let instance_pre = linker.instantiate_pre(component).map_err(|e| {
            refuse(format!(
                "it imports something the sandbox does not provide: {e:#}"
            ))
        })?;
        let pre = bindings::PluginPre::new(instance_pre).map_err(|e| {
            refuse(format!(
                "it does not implement the barcode:plugin@0.1.0 world: {e:#}"
            ))
        })?;
        let runner = Runner {
            name: name.to_owned(),
            pre,
            settings,
            log: Arc::new(PluginLog::new(name)),
        };
        let info = runner
            .describe(async |plugin, _, store| {
                plugin.barcode_plugin_decoder().call_info(store).await
            })
            .and_then(|info| validate_info(info, &runner.settings.limits.answer))
            .map_err(|failure| refuse(format!("its `info` export {failure}")))?;
        let claims = runner
            .describe(async |_, instance, store| claims::declared(store, instance).await)
            .map_err(|failure| refuse(format!("its `claims` export {failure}")))?;
        let claims = match claims {
            Some(patterns) => {
                let set = claims::compile(&patterns).map_err(|e| refuse(e.to_string()))?;
                Some((patterns, set))
            }
            None => None,
        };
        // A component without the export is never asked to receive; one
        // whose export has another shape is refused, as for `claims`.
        let receiver = match receiving::GuestIndices::new(runner.pre.instance_pre()) {
            Err(_) => None,
            Ok(indices) => {
                runner
                    .describe(async |_, instance, store| indices.load(store, instance).map(drop))
                    .map_err(|failure| refuse(format!("its `receiving` export {failure}")))?;
                Some(indices)
            }
        };
        Ok(Plugin {
            info,
            claims,
            receiver,
            runner,
            failures_in_a_row: AtomicU32::new(0),
            scans: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        })
    }

    /// The name the plugin is installed under (not necessarily `info.name`).
    pub fn name(&self) -> &str {
        &self.runner.name
    }

    /// Lower runs first.
    pub fn priority(&self) -> i32 {
        self.runner.settings.priority
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// The patterns of data it declares it may claim; `None`: any data.
    pub fn claims(&self) -> Option<&[String]> {
        self.claims
            .as_ref()
            .map(|(patterns, _)| patterns.as_slice())
    }

    /// Whether a scan of `data` asks this plugin, by what it declares.
    pub fn may_claim(&self, data: &str) -> bool {
        self.claims
            .as_ref()
            .is_none_or(|(_, set)| set.is_match(data))
    }

    /// Whether it exports `receiving`, and so may receive labels.
    pub fn receives(&self) -> bool {
        self.receiver.is_some()
    }

    /// What this plugin may make the server log.
    pub fn log(&self) -> &PluginLog {
        &self.runner.log
    }

    /// Asks the plugin about `data` in a fresh instance that may reach
    /// `store` as its grants allow. Returns its verdict, and what its calls
    /// to the server asked to book or were refused.
    ///
    /// The future runs the plugin on the polling thread and yields at every
    /// epoch tick the plugin runs for, so a slow plugin shares the thread
    /// instead of holding it; its CPU limit counts the thread's CPU time
    /// while it runs, not time spent waiting to be polled.
    pub async fn scan(
        &self,
        data: &str,
        server: Option<&Arc<dyn Server>>,
    ) -> (Result<Verdict, Failure>, Requests) {
        let mut sandbox = self.runner.sandbox(server, None);
        let clock = sandbox.clock();
        let started = Instant::now();
        let mut instantiated = None;
        let answer = clock
            .run(async {
                let plugin = self
                    .runner
                    .pre
                    .instantiate_async(&mut sandbox.store)
                    .await?;
                instantiated = Some(Instant::now());
                let decoder = plugin.barcode_plugin_decoder();
                decoder.call_scan(&mut sandbox.store, data).await
            })
            .await;
        let ended = Instant::now();
        let (answer, requests) = self.runner.finish(sandbox, answer);
        let verdict = answer.and_then(|answer| self.verdict(answer));
        if let Some(observer) = &self.runner.settings.observer {
            observer.scanned(&Observation {
                plugin: self.name(),
                instantiate: instantiated.map(|at| at - started),
                call: instantiated.map(|at| ended - at),
                verdict: verdict.as_ref(),
                refused: &requests.refused,
            });
        }
        self.count(verdict.is_ok());
        (verdict, requests)
    }

    /// Asks the plugin to receive `data` as `request` says, in a fresh
    /// instance like a scan's, whose receipts carry the label's hash so the
    /// store receives it once. `Ok(None)` when the label is not the
    /// plugin's, or the plugin does not export `receiving`.
    pub async fn receive(
        &self,
        data: &str,
        request: &ReceiptRequest,
        server: Option<&Arc<dyn Server>>,
    ) -> (Result<Option<Receipt>, Failure>, Requests) {
        let Some(receiver) = &self.receiver else {
            return (Ok(None), Requests::default());
        };
        let label = barcoded_domain::barcode_hash(data);
        let mut sandbox = self.runner.sandbox(server, Some(label));
        let clock = sandbox.clock();
        let answer = clock
            .run(async {
                let store = &mut sandbox.store;
                let instance = self
                    .runner
                    .pre
                    .instance_pre()
                    .instantiate_async(&mut *store)
                    .await?;
                let guest = receiver.load(&mut *store, &instance)?;
                guest.call_receive(store, data, &request.to_wit()).await
            })
            .await;
        let (answer, requests) = self.runner.finish(sandbox, answer);
        let limits = &self.runner.settings.limits.answer;
        let receipt =
            answer.and_then(|answer| answer.map(|r| Receipt::validate(r, limits)).transpose());
        self.count(receipt.is_ok());
        (receipt, requests)
    }

    /// Counts one call into the plugin, failed or not.
    fn count(&self, ok: bool) {
        self.scans.fetch_add(1, Ordering::Relaxed);
        if ok {
            self.failures_in_a_row.store(0, Ordering::Relaxed);
        } else {
            self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Scans and failures since the last call, for the registry's totals.
    pub fn take_counts(&self) -> (u64, u64) {
        (
            self.scans.swap(0, Ordering::Relaxed),
            self.failures.swap(0, Ordering::Relaxed),
        )
    }

    /// How many scans in a row have failed, up to now.
    pub fn failures_in_a_row(&self) -> u32 {
        self.failures_in_a_row.load(Ordering::Relaxed)
    }

    fn verdict(
        &self,
        answer: Result<Option<wit::ScanResult>, wit::ScanError>,
    ) -> Result<Verdict, Failure> {
        let limits = &self.runner.settings.limits.answer;
        match answer {
            Ok(None) => Ok(Verdict::NotMine),
            Ok(Some(result)) => Decode::validate(result, limits).map(Verdict::Decoded),
            Err(error) => Rejection::validate(error, limits).map(Verdict::Rejected),
        }
    }
}

impl Runner {
    /// Runs `call` on a fresh instance outside any scan, as loading a
    /// plugin does to ask what it is.
    fn describe<R>(
        &self,
        call: impl AsyncFnOnce(
            &bindings::Plugin,
            &Instance,
            &mut wasmtime::Store<SandboxState>,
        ) -> wasmtime::Result<R>,
    ) -> Result<R, Failure> {
        let mut sandbox = self.sandbox(None, None);
        let clock = sandbox.clock();
        let answer = crate::block_on(clock.run(async {
            let store = &mut sandbox.store;
            let instance = self
                .pre
                .instance_pre()
                .instantiate_async(&mut *store)
                .await?;
            let plugin = bindings::Plugin::new(&mut *store, &instance)?;
            call(&plugin, &instance, store).await
        }));
        self.finish(sandbox, answer).0
    }

    /// A fresh sandbox for one call, reaching `store` as the grants allow;
    /// with `label`, a receipt of the label so hashed.
    fn sandbox(&self, server: Option<&Arc<dyn Server>>, label: Option<String>) -> Sandbox {
        let settings = &self.settings;
        let mut host = HostState::new(
            self.log.clone(),
            settings.config.clone(),
            settings.grants.clone(),
            server.cloned(),
            settings.limits.host_calls,
        );
        if let Some(label) = label {
            host = host.receiving(label);
        }
        Sandbox::new(self.pre.engine(), &settings.limits, host)
    }

    /// Ends a call: logs what the guest printed, turns an error into the
    /// [`Failure`] that caused it, and returns what the guest asked of the
    /// server alongside.
    fn finish<R>(
        &self,
        sandbox: Sandbox,
        result: wasmtime::Result<R>,
    ) -> (Result<R, Failure>, Requests) {
        self.log_printed(&sandbox);
        let result = result.map_err(|error| classify(&error, &sandbox, &self.settings.limits));
        (result, sandbox.into_host().into_requests())
    }

    fn log_printed(&self, sandbox: &Sandbox) {
        for (stream, bytes) in sandbox.printed() {
            for line in String::from_utf8_lossy(&bytes).lines() {
                self.log.line(|| {
                    let line = escape_controls(&truncate(line, MAX_LOGGED_LINE));
                    tracing::info!(target: "plugin", plugin = %self.name, "[{}] {stream}: {line}", self.name);
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
