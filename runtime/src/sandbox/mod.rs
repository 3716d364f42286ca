//! The per-scan sandbox: a fresh wasmtime `Store` whose WASI context grants
//! nothing and whose resource limiter enforces [`Limits`].
//!
//! A new sandbox is built for every call into a plugin, so no state survives
//! from one scan to the next and one scan cannot observe another.

mod clocks;
mod output;

use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{Engine, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::limits::{Limit, Limits};
use clocks::{CoarseMonotonicClock, CoarseWallClock};
use output::CappedOutput;

/// Most random bytes one call may ask for.
const MAX_RANDOM_BYTES: u64 = 64 << 10;

/// What a plugin's store holds: its WASI state, its limiter and the
/// operator's settings for it.
pub struct SandboxState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: Limiter,
    config: Arc<BTreeMap<String, String>>,
}

impl SandboxState {
    /// The plugin's settings, for its `config` import.
    pub fn config(&self) -> &BTreeMap<String, String> {
        &self.config
    }
}

impl WasiView for SandboxState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A store ready for one call, with handles on what the guest prints.
pub struct Sandbox {
    pub store: Store<SandboxState>,
    stdout: CappedOutput,
    stderr: CappedOutput,
}

impl Sandbox {
    /// Builds a store with no WASI rights: no preopened directories, no
    /// environment, no arguments, no network, stdin closed. Clocks read real
    /// time at millisecond resolution and randomness is real (neither reveals
    /// anything about the host). Stdout and stderr go to bounded buffers that
    /// the caller drains into the log.
    pub fn new(engine: &Engine, limits: &Limits, config: Arc<BTreeMap<String, String>>) -> Sandbox {
        let stdout = CappedOutput::new(limits.output_bytes, limits.output_lines);
        let stderr = CappedOutput::new(limits.output_bytes, limits.output_lines);
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(CoarseWallClock)
            .monotonic_clock(CoarseMonotonicClock::new())
            .max_random_size(MAX_RANDOM_BYTES)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let state = SandboxState {
            wasi,
            table: ResourceTable::new(),
            limiter: Limiter::new(limits),
            config,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(limits.epoch_ticks());
        Sandbox {
            store,
            stdout,
            stderr,
        }
    }

    /// The limit the guest ran into during this call, if any.
    pub fn limit_hit(&self) -> Option<Limit> {
        let printed_too_much = self.stdout.overflowed() || self.stderr.overflowed();
        self.store
            .data()
            .limiter
            .hit
            .or(printed_too_much.then_some(Limit::Output))
    }

    /// Everything the guest wrote to stdout and stderr, in that order.
    pub fn printed(&self) -> [(&'static str, Vec<u8>); 2] {
        [
            ("stdout", self.stdout.contents()),
            ("stderr", self.stderr.contents()),
        ]
    }
}

/// Enforces memory and table ceilings and remembers which one was hit, so a
/// failed scan can name its cause instead of reporting a bare trap.
struct Limiter {
    memory_bytes: usize,
    memory_in_use: usize,
    table_elements: usize,
    tables_in_use: usize,
    instances: usize,
    hit: Option<Limit>,
}

impl Limiter {
    fn new(limits: &Limits) -> Limiter {
        Limiter {
            memory_bytes: limits.memory_bytes,
            memory_in_use: 0,
            table_elements: limits.table_elements,
            tables_in_use: 0,
            instances: limits.instances,
            hit: None,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.memory_in_use - current + desired;
        if total > self.memory_bytes {
            self.hit = Some(Limit::Memory);
            return Ok(false);
        }
        self.memory_in_use = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.tables_in_use - current + desired;
        if total > self.table_elements {
            self.hit = Some(Limit::Table);
            return Ok(false);
        }
        self.tables_in_use = total;
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.instances
    }
}
