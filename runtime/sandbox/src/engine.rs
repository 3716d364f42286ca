//! The one wasmtime engine every plugin is compiled and run with.

use std::thread;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::limits::{EPOCH_TICK, MAX_WASM_STACK};

/// Plugin instances that can exist at once (scans in flight, plus loads).
pub const POOL_INSTANCES: u32 = 128;

/// How much of a pooled memory or table slot stays mapped when its instance
/// is freed. With `pagemap_scan` (Linux 6.7 and later) only the pages the
/// instance dirtied are zeroed, so the next instance in the slot takes no
/// page faults on them: a gtin scan dropped from about 27 to 9 µs (measured
/// 2026-11-23, docs/performance.md). Older
/// kernels fall back to wasmtime's default reset.
const KEEP_RESIDENT_BYTES: usize = 4 << 20;

/// The most linear memory any plugin may be given (`memory_mib` overrides
/// above it are refused).
pub use barcoded_domain::MAX_MEMORY_BYTES;

/// How a plugin's CPU budget is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuMeter {
    /// Epoch interruption: the engine's epoch advances every
    /// [`EPOCH_TICK`]; a scan past its deadline traps. It costs a load and
    /// compare at function entries and loop back-edges, where fuel would
    /// update a counter in every basic block (wasmtime measures fuel at 2-3
    /// times the cost). What the service uses.
    Epoch,
    /// No CPU limit at all. Only for measuring what [`CpuMeter::Epoch`]
    /// costs (`just bench`); never serve untrusted plugins with it.
    Off,
}

/// Builds the engine the service runs plugins with.
pub fn new_engine() -> wasmtime::Result<Engine> {
    new_engine_with(CpuMeter::Epoch)
}

/// Builds an engine with the given CPU meter; with [`CpuMeter::Epoch`], also
/// starts the thread that advances its epoch.
///
/// Instances come from wasmtime's pooling allocator: memory and table slots
/// are reserved once and reused, and stay resident between instances (see
/// `KEEP_RESIDENT_BYTES`), so the fresh instance every scan gets takes no
/// page faults (`just bench-in-process` measures it). Plugins are called
/// async, so each call in flight also takes a fiber stack from the pool. The
/// pool reserves a large range of
/// address space; where that is refused (a `ulimit -v`, say), instances are
/// allocated on demand instead, each reserving only what its memory may grow
/// to, and the log says so.
pub fn new_engine_with(meter: CpuMeter) -> wasmtime::Result<Engine> {
    let engine = match Engine::new(&config(meter, Allocation::Pooled)) {
        Ok(engine) => engine,
        Err(error) => {
            tracing::warn!(
                "cannot reserve address space for the plugin instance pool ({error:#}); \
                 allocating instances on demand instead, which makes each scan slower"
            );
            Engine::new(&config(meter, Allocation::OnDemand))?
        }
    };
    if meter == CpuMeter::Epoch {
        start_epoch_ticker(engine.weak());
    }
    Ok(engine)
}

/// Where instances' memories come from.
#[derive(Clone, Copy)]
enum Allocation {
    Pooled,
    OnDemand,
}

fn config(meter: CpuMeter, allocation: Allocation) -> Config {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(meter == CpuMeter::Epoch)
        .max_wasm_stack(MAX_WASM_STACK);
    match allocation {
        Allocation::Pooled => {
            let mut pool = PoolingAllocationConfig::default();
            pool.total_component_instances(POOL_INSTANCES)
                .total_core_instances(POOL_INSTANCES * 8)
                .total_memories(POOL_INSTANCES * 2)
                .total_tables(POOL_INSTANCES * 4)
                // One fiber stack per async call in flight.
                .total_stacks(POOL_INSTANCES)
                .max_memories_per_component(2)
                .max_tables_per_component(4)
                .max_memory_size(MAX_MEMORY_BYTES)
                .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
                .table_keep_resident(KEEP_RESIDENT_BYTES)
                .pagemap_scan(Enabled::Auto);
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        Allocation::OnDemand => {
            config.memory_reservation(MAX_MEMORY_BYTES as u64);
        }
    }
    config
}

fn start_epoch_ticker(engine: wasmtime::EngineWeak) {
    thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while let Some(engine) = engine.upgrade() {
                engine.increment_epoch();
                drop(engine);
                thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch ticker thread");
}
