//! The linker every plugin is pre-linked against.

use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker, Resource};
use wasmtime_wasi::p2::DynPollable;

use crate::bindings;
use crate::host::HostState;
use crate::sandbox::SandboxState;

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
