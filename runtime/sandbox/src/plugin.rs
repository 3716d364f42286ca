//! One plugin: a component compiled once, pre-linked, and instantiated
//! afresh in a [`Sandbox`] for every call.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTableError};
use wasmtime::{Engine, Trap};
use wasmtime_wasi::p2::DynPollable;

use barcoded_domain::{Capability, PluginInfo};

use crate::host::{HostState, Requests, Server};
use crate::limits::{AnswerLimits, Limit, Limits};
use crate::log::PluginLog;
use crate::sandbox::{Sandbox, SandboxState};

pub(crate) mod bindings {
    // Exports are called with `*_async`, so that a plugin's epoch ticks can
    // yield to the server's other work (see `Sandbox::new`).
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "plugin",
        exports: { default: async },
        // A host call may trap the plugin (see `HostState::count_call`).
        imports: { default: trappable },
    });
}

use bindings::exports::barcode::plugin::decoder as wit;

/// Largest component accepted, in bytes. Compiling is the one step a hostile
/// plugin could make slow by design, so its input is capped.
pub const MAX_COMPONENT_BYTES: usize = 16 << 20;

/// Longest line of a plugin's output that reaches the log, in characters.
const MAX_LOGGED_LINE: usize = 512;

/// The WASI interface whose waits are refused (see [`new_linker`]).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// The linker every plugin is pre-linked against: WASI p2 (its async
/// flavour, since plugins are called with `*_async`) and the
/// `barcode:plugin` imports. A component importing anything beyond them is
/// refused at load time.
///
/// Waiting on a clock (`sleep`) is refused with a trap: a wait happens in the
/// host, where CPU limits cannot interrupt it, so a plugin could otherwise
/// hold a scan thread for as long as it liked. Reading clocks is allowed.
pub fn new_linker(engine: &Engine) -> wasmtime::Result<Linker<SandboxState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    bindings::Plugin::add_to_linker::<_, HasSelf<HostState>>(&mut linker, SandboxState::host)?;
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    for wait in ["subscribe-duration", "subscribe-instant"] {
        clock.func_wrap(
            wait,
            |_, (_,): (u64,)| -> wasmtime::Result<(Resource<DynPollable>,)> {
                wasmtime::bail!("plugins may not sleep or wait on a clock")
            },
        )?;
    }
    linker.allow_shadowing(false);
    Ok(linker)
}

/// A loaded, validated plugin.
pub struct Plugin {
    info: PluginInfo,
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
}

/// Why a component's bytes did not compile.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("it is {size} bytes, over the {MAX_COMPONENT_BYTES}-byte limit")]
    TooLarge { size: usize },
    /// wasmtime's reason, which names what is wrong with the bytes.
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
}

/// Compiles a component's bytes, refusing more than [`MAX_COMPONENT_BYTES`].
pub fn compile(engine: &Engine, bytes: &[u8]) -> Result<Component, CompileError> {
    if bytes.len() > MAX_COMPONENT_BYTES {
        return Err(CompileError::TooLarge { size: bytes.len() });
    }
    Component::new(engine, bytes).map_err(|e| CompileError::Invalid(format!("{e:#}")))
}

/// The capabilities a component's imports need: what the operator must
/// grant for all of its calls to the server to work.
pub fn capabilities_asked(engine: &Engine, component: &Component) -> BTreeSet<Capability> {
    let mut asked = BTreeSet::new();
    for (name, import) in component.component_type().imports(engine) {
        let interface = name
            .strip_prefix("barcode:plugin/")
            .and_then(|rest| rest.split('@').next());
        if let (Some(interface), ComponentItem::ComponentInstance(instance)) =
            (interface, import.ty)
        {
            for (function, _) in instance.exports(engine) {
                asked.extend(Capability::for_import(interface, function));
            }
        }
    }
    asked
}

/// What a plugin answered to one scan.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Not this plugin's barcode.
    NotMine,
    /// This plugin's barcode, decoded.
    Decoded(Decode),
    /// This plugin's barcode, but invalid.
    Rejected(Rejection),
}

/// A successful decode, validated against [`AnswerLimits`].
#[derive(Debug, Clone, PartialEq)]
pub struct Decode {
    pub format: String,
    pub lookup_code: Option<String>,
    pub uom_code: Option<String>,
    pub quantity: Option<u32>,
    pub fields: Vec<(String, String)>,
    pub payload: Option<serde_json::Value>,
}

/// A plugin's reason for refusing a barcode it recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub format: String,
    pub reason: String,
}

/// Why a plugin could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub plugin: String,
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plugin `{}` refused: {}", self.plugin, self.reason)
    }
}

impl std::error::Error for LoadError {}

/// Why a call into a plugin produced no verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The plugin ran past one of its limits; the text says how far it may go.
    Limit(Limit, String),
    /// The plugin trapped (panicked, hit `unreachable`, ...).
    Trap(String),
    /// The plugin answered with something the server refuses to pass on.
    BadAnswer(String),
}

impl Failure {
    /// The limit behind this failure, if it was one.
    pub fn limit(&self) -> Option<Limit> {
        match self {
            Failure::Limit(limit, _) => Some(*limit),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Limit(limit, detail) => {
                write!(f, "exceeded its {} limit: {detail}", limit.name())
            }
            Failure::Trap(message) => write!(f, "trapped: {message}"),
            Failure::BadAnswer(reason) => write!(f, "returned an invalid answer: {reason}"),
        }
    }
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
        let mut sandbox = runner.sandbox(None);
        let clock = sandbox.clock();
        let info = crate::blocking::block_on(clock.run(async {
            let plugin = runner.pre.instantiate_async(&mut sandbox.store).await?;
            let decoder = plugin.barcode_plugin_decoder();
            decoder.call_info(&mut sandbox.store).await
        }));
        let (info, _) = runner.finish(sandbox, info);
        let info = info
            .and_then(|info| validate_info(info, &runner.settings.limits.answer))
            .map_err(|failure| refuse(format!("its `info` export {failure}")))?;
        Ok(Plugin {
            info,
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
        let mut sandbox = self.runner.sandbox(server);
        let clock = sandbox.clock();
        let answer = clock
            .run(async {
                let plugin = self
                    .runner
                    .pre
                    .instantiate_async(&mut sandbox.store)
                    .await?;
                let decoder = plugin.barcode_plugin_decoder();
                decoder.call_scan(&mut sandbox.store, data).await
            })
            .await;
        let (answer, requests) = self.runner.finish(sandbox, answer);
        let verdict = answer.and_then(|answer| self.verdict(answer));
        self.scans.fetch_add(1, Ordering::Relaxed);
        match verdict {
            Ok(_) => self.failures_in_a_row.store(0, Ordering::Relaxed),
            Err(_) => {
                self.failures_in_a_row.fetch_add(1, Ordering::Relaxed);
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        (verdict, requests)
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
    /// A fresh sandbox for one call, reaching `store` as the grants allow.
    fn sandbox(&self, server: Option<&Arc<dyn Server>>) -> Sandbox {
        let settings = &self.settings;
        let host = HostState::new(
            self.log.clone(),
            settings.config.clone(),
            settings.grants.clone(),
            server.cloned(),
            settings.limits.host_calls,
        );
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
                    tracing::info!(target: "plugin", "[{}] {stream}: {line}", self.name);
                });
            }
        }
    }
}

/// Names the limit behind a failed call when there is one, so the error says
/// "memory limit" rather than a bare `unreachable` trap.
fn classify(error: &wasmtime::Error, sandbox: &Sandbox, limits: &Limits) -> Failure {
    let limit = sandbox.limit_hit().or_else(|| limit_in(error));
    match limit {
        Some(limit) => Failure::Limit(limit, limits.describe(limit)),
        // The root cause reads "wasm `unreachable` instruction executed" or the
        // host's reason; the backtrace above it means nothing to an operator.
        None => Failure::Trap(truncate(&error.root_cause().to_string(), 512)),
    }
}

/// The limit an engine error reports, for those wasmtime enforces itself.
fn limit_in(error: &wasmtime::Error) -> Option<Limit> {
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => return Some(Limit::CpuTime),
        Some(Trap::StackOverflow) => return Some(Limit::Stack),
        _ => {}
    }
    if let Some(ResourceTableError::Full) = error.downcast_ref::<ResourceTableError>() {
        return Some(Limit::Handles);
    }
    // wasmtime's hostcall-fuel error type is private; its text is not.
    let text = error.root_cause().to_string();
    if text.contains("fuel allocated for hostcalls") {
        return Some(Limit::Transfer);
    }
    text.contains("store handle limit exceeded")
        .then_some(Limit::Handles)
}

/// Keeps a plugin from forging log lines or driving the operator's terminal.
fn escape_controls(line: &str) -> String {
    let mut escaped = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn bounded(what: &str, text: String, max: usize) -> Result<String, Failure> {
    if text.len() > max {
        return Err(Failure::Limit(
            Limit::Answer,
            format!("{what} is {} bytes, over {max}", text.len()),
        ));
    }
    Ok(text)
}

/// Checks a plugin's `info` answer against its limits.
fn validate_info(info: wit::PluginInfo, limits: &AnswerLimits) -> Result<PluginInfo, Failure> {
    let max = limits.reason_text;
    Ok(PluginInfo {
        name: bounded("info name", info.name, limits.short_text)?,
        title: bounded("info title", info.title, max)?,
        description: bounded("info description", info.description, max)?,
        version: bounded("info version", info.version, limits.short_text)?,
        author: bounded("info author", info.author, max)?,
    })
}

impl Decode {
    fn validate(result: wit::ScanResult, limits: &AnswerLimits) -> Result<Decode, Failure> {
        if result.fields.len() > limits.fields {
            return Err(Failure::Limit(
                Limit::Answer,
                format!("{} fields, over {}", result.fields.len(), limits.fields),
            ));
        }
        let mut fields = Vec::with_capacity(result.fields.len());
        for field in result.fields {
            let key = bounded("a field key", field.key, limits.short_text)?;
            if fields.iter().any(|(seen, _)| *seen == key) {
                return Err(Failure::BadAnswer(format!("field `{key}` appears twice")));
            }
            fields.push((
                key,
                bounded("a field value", field.value, limits.value_text)?,
            ));
        }
        let payload = match result.payload {
            None => None,
            Some(json) => {
                let json = bounded("the payload", json, limits.payload_bytes)?;
                Some(serde_json::from_str(&json).map_err(|e| {
                    Failure::BadAnswer(format!("the payload is not valid JSON: {e}"))
                })?)
            }
        };
        Ok(Decode {
            format: bounded("the format", result.format, limits.short_text)?,
            lookup_code: result
                .lookup_code
                .map(|code| bounded("the lookup code", code, limits.value_text))
                .transpose()?,
            uom_code: result
                .uom_code
                .map(|uom| bounded("the UoM code", uom, limits.short_text))
                .transpose()?,
            quantity: result.quantity,
            fields,
            payload,
        })
    }
}

impl Rejection {
    fn validate(error: wit::ScanError, limits: &AnswerLimits) -> Result<Rejection, Failure> {
        Ok(Rejection {
            format: bounded("the error's format", error.format, limits.short_text)?,
            reason: bounded("the error's reason", error.reason, limits.reason_text)?,
        })
    }
}

#[cfg(test)]
mod tests;
