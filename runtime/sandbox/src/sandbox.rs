//! The per-scan sandbox: a fresh wasmtime `Store` whose WASI context grants
//! nothing and whose resource limiter enforces [`Limits`].
//!
//! A new sandbox is built for every call into a plugin, so no state survives
//! from one scan to the next and one scan cannot observe another.

mod clocks;
mod cpu;
mod output;

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{Engine, ResourceLimiter, Store, UpdateDeadline};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::host::HostState;
use crate::limits::{EPOCH_TICK, Limit, Limits};
use clocks::{CoarseMonotonicClock, CoarseWallClock};
pub use cpu::CpuClock;
use output::CappedOutput;

/// Most random bytes one call may ask for.
const MAX_RANDOM_BYTES: u64 = 64 << 10;

/// What a plugin's store holds: its WASI state, its limiter, and what it
/// may ask of the server.
pub struct SandboxState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: Limiter,
    host: HostState,
}

impl SandboxState {
    /// The state behind the plugin's `barcode:plugin` imports.
    pub fn host(&mut self) -> &mut HostState {
        &mut self.host
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
    clock: Arc<CpuClock>,
}

impl Sandbox {
    /// Builds a store with no WASI rights: no preopened directories, no
    /// environment, no arguments, no network, stdin closed. What the guest
    /// can make the host copy per call, and the handles it can hold open,
    /// are bounded by `limits`. Clocks read real
    /// time at millisecond resolution and randomness is real (neither reveals
    /// anything about the host). Stdout and stderr go to bounded buffers that
    /// the caller drains into the log.
    pub fn new(engine: &Engine, limits: &Limits, host: HostState) -> Sandbox {
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
        let mut table = ResourceTable::new();
        table.set_max_capacity(limits.handles);
        let state = SandboxState {
            wasi,
            table,
            limiter: Limiter::new(limits),
            host,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_max_component_handles(limits.handles);
        store.set_hostcall_fuel(limits.answer.transfer_bytes());
        let clock = Arc::new(CpuClock::default());
        meter_cpu(&mut store, limits.cpu_time, clock.clone());
        Sandbox {
            store,
            stdout,
            stderr,
            clock,
        }
    }

    /// The clock the CPU budget is counted with: run the call's future
    /// with [`CpuClock::run`].
    pub fn clock(&self) -> Arc<CpuClock> {
        self.clock.clone()
    }

    /// The limit the guest ran into during this call, if any.
    pub fn limit_hit(&self) -> Option<Limit> {
        let printed_too_much = self.stdout.overflowed() || self.stderr.overflowed();
        let state = self.store.data();
        state
            .limiter
            .hit
            .or(state.host.limit_hit())
            .or(printed_too_much.then_some(Limit::Output))
    }

    /// Ends the sandbox, keeping what the guest asked of the server.
    pub fn into_host(self) -> HostState {
        self.store.into_data().host
    }

    /// Everything the guest wrote to stdout and stderr, in that order.
    pub fn printed(&self) -> [(&'static str, Vec<u8>); 2] {
        [
            ("stdout", self.stdout.contents()),
            ("stderr", self.stderr.contents()),
        ]
    }
}

/// Checks the plugin's CPU time against `budget` at every epoch tick it
/// runs across (metering by CPU time from the first, see [`CpuClock`]):
/// traps once it is spent, and otherwise yields to the caller's executor
/// when this poll has run for a tick, so that other requests get the
/// thread. A poll that has only just resumed goes on.
fn meter_cpu(store: &mut Store<SandboxState>, budget: Duration, clock: Arc<CpuClock>) {
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| {
        clock.meter();
        Ok(if clock.used() >= budget {
            UpdateDeadline::Interrupt
        } else if clock.in_this_poll() >= EPOCH_TICK {
            UpdateDeadline::Yield(1)
        } else {
            UpdateDeadline::Continue(1)
        })
    });
}

/// Enforces memory and table ceilings and remembers which one was hit, so a
/// failed scan can name its cause instead of reporting a bare trap.
struct Limiter {
    memory: Budget,
    tables: Budget,
    instances: usize,
    hit: Option<Limit>,
}

/// A ceiling on the sum of several growing things (memories, or tables).
struct Budget {
    in_use: usize,
    max: usize,
}

impl Budget {
    /// Lets one of them grow from `current` to `desired` if the sum stays
    /// within the ceiling.
    fn grow(&mut self, current: usize, desired: usize) -> bool {
        let total = self.in_use - current + desired;
        let fits = total <= self.max;
        if fits {
            self.in_use = total;
        }
        fits
    }
}

impl Limiter {
    fn new(limits: &Limits) -> Limiter {
        Limiter {
            memory: Budget {
                in_use: 0,
                max: limits.memory_bytes,
            },
            tables: Budget {
                in_use: 0,
                max: limits.table_elements,
            },
            instances: limits.instances,
            hit: None,
        }
    }

    fn grow(&mut self, limit: Limit, current: usize, desired: usize) -> bool {
        let budget = if limit == Limit::Memory {
            &mut self.memory
        } else {
            &mut self.tables
        };
        let fits = budget.grow(current, desired);
        if !fits {
            self.hit = Some(limit);
        }
        fits
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(Limit::Memory, current, desired))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(Limit::Table, current, desired))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_sums_every_memory_and_names_what_it_refused() {
        let mut limiter = Limiter::new(&Limits {
            memory_bytes: 100,
            table_elements: 10,
            ..Limits::default()
        });
        // Two memories of 60 and 40 fit; either growing by one more does not.
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        assert!(limiter.memory_growing(0, 40, None).unwrap());
        assert!(!limiter.memory_growing(40, 41, None).unwrap());
        assert_eq!(limiter.hit, Some(Limit::Memory));
        // Shrinking one makes room for the other.
        assert!(limiter.memory_growing(60, 30, None).unwrap());
        assert!(limiter.memory_growing(40, 70, None).unwrap());
        assert!(!limiter.table_growing(0, 11, None).unwrap());
        assert_eq!(limiter.hit, Some(Limit::Table));
    }
}
