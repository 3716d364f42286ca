//! Runs untrusted barcode plugins: WebAssembly components implementing the
//! `barcode:plugin` world (`wit/`), each call in a fresh wasmtime instance
//! with no ambient rights and hard limits on CPU time, memory, output, host
//! calls and answers, asked in priority order by a [`Chain`], each only about
//! data it declares it may claim.
//!
//! A plugin reaches the server only through the [`Server`] trait, and only
//! for what its grants allow; the sandbox never writes anything itself.
//!
//! ```text
//! Chain::scan ─▶ Plugin::scan ─▶ Sandbox (Store + Limiter + CpuClock)
//!                                   └─▶ HostState ─▶ dyn Server
//! ```

mod bindings;
mod blocking;
mod chain;
mod claims;
mod component;
mod engine;
mod failure;
mod host;
mod limits;
mod linker;
mod log;
mod observer;
mod plugin;
mod receiving;
mod sandbox;
mod verdict;

pub use blocking::block_on;
pub use chain::{
    Ask, Chain, DEFAULT_PRIORITY, PluginFailure, ReceiptOutcome, ScanOutcome, validate_name,
};
pub use component::{CompileError, MAX_COMPONENT_BYTES, capabilities_asked, compile};
pub use engine::{CpuMeter, POOL_INSTANCES, new_engine, new_engine_with};
pub use failure::{Failure, LoadError};
pub use host::{Answer, CallError, HostState, Requests, Server};
pub use limits::{AnswerLimits, Limit, Limits};
pub use linker::new_linker;
pub use log::{PLUGIN_LOG_LINES, PluginLog};
pub use observer::{Observation, Observer};
pub use plugin::{Plugin, Settings};
pub use receiving::{LineItem, Receipt, ReceiptRequest, ReceiptStatus};
pub use sandbox::{CpuClock, Sandbox, SandboxState};
pub use verdict::{Decode, Rejection, Verdict};
