//! `barcoded`: decodes scanned barcodes with sandboxed WebAssembly plugins.
//!
//! The binary is a thin shell over this library: [`cli`] parses the command
//! line, [`service`] holds what every request shares, [`http`] speaks HTTP,
//! [`chain`] orders the plugins, [`plugin`] loads and calls one plugin inside
//! a [`sandbox`] bounded by [`limits`].

pub mod answer;
pub mod blocking;
pub mod chain;
pub mod cli;
pub mod code_cache;
pub mod engine;
pub mod files;
pub mod host;
pub mod http;
pub mod import;
pub mod label;
pub mod ledger;
pub mod limits;
pub mod log;
pub mod plugin;
pub mod registry;
pub mod sandbox;
pub mod service;
pub mod store;
