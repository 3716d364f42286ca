//! The one wasmtime engine every plugin is compiled and run with.

use std::thread;

use wasmtime::{Config, Engine};

use crate::limits::EPOCH_TICK;

/// Stack a plugin's wasm code may use before it traps. wasmtime's default,
/// stated here so that a change in wasmtime cannot loosen it unnoticed.
pub const MAX_WASM_STACK: usize = 512 << 10;

/// Builds the engine and starts the thread that advances its epoch, which is
/// what interrupts a plugin that runs past its CPU budget.
///
/// Epoch interruption is used rather than fuel: it costs a load and compare
/// per loop back-edge instead of a counter update per basic block.
pub fn new_engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .max_wasm_stack(MAX_WASM_STACK);
    let engine = Engine::new(&config)?;
    start_epoch_ticker(engine.weak());
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
