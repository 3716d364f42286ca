//! The one wasmtime engine every plugin is compiled and run with.

use std::thread;

use wasmtime::{Config, Engine};

use crate::limits::EPOCH_TICK;

/// Stack a plugin's wasm code may use before it traps. wasmtime's default,
/// stated here so that a change in wasmtime cannot loosen it unnoticed.
pub const MAX_WASM_STACK: usize = 512 << 10;

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
pub fn new_engine_with(meter: CpuMeter) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(meter == CpuMeter::Epoch)
        .max_wasm_stack(MAX_WASM_STACK);
    let engine = Engine::new(&config)?;
    if meter == CpuMeter::Epoch {
        start_epoch_ticker(engine.weak());
    }
    Ok(engine)
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
