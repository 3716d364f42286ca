//! `barcoded`: decodes scanned barcodes with sandboxed WebAssembly plugins.
//!
//! The binary is a thin shell over the workspace's library crates (see
//! `docs/architecture.md`): [`cli`] parses the command line and [`http`]
//! speaks HTTP, both over the operations of `barcoded-app`; [`answer`]
//! writes a scan's outcome as the JSON both show.

pub mod answer;
pub mod cli;
pub mod http;
mod log;
