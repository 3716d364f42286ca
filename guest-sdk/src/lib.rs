//! Write barcode decoder plugins for `barcoded`.
//!
//! A plugin is a type that implements [`Plugin`] and one call to
//! [`export_plugin!`]. Built for `wasm32-wasip2` as a `cdylib`, it becomes a
//! WebAssembly component that `barcoded` loads and runs in a sandbox.
//!
//! # A complete plugin
//!
//! ```
//! use barcode_plugin_sdk::{export_plugin, Plugin, PluginInfo, ScanError, ScanResult};
//!
//! struct Shelf;
//!
//! impl Plugin for Shelf {
//!     fn info() -> PluginInfo {
//!         PluginInfo {
//!             name: "shelf".into(),
//!             title: "Shelf labels".into(),
//!             description: "Decodes SHELF-<aisle>-<bay> location labels.".into(),
//!             version: "1.0.0".into(),
//!             author: "Example Stores <dev@example.com>".into(),
//!         }
//!     }
//!
//!     fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
//!         // Not ours: let the next plugin try.
//!         let Some(rest) = data.strip_prefix("SHELF-") else {
//!             return Ok(None);
//!         };
//!         // Ours, but broken: say why.
//!         let Some((aisle, bay)) = rest.split_once('-') else {
//!             return Err(ScanError::new("SHELF", "expected SHELF-<aisle>-<bay>"));
//!         };
//!         // Printed lines appear in the server log, tagged with the plugin name.
//!         println!("shelf label: aisle {aisle}, bay {bay}");
//!         Ok(Some(
//!             ScanResult::new("SHELF")
//!                 .field("aisle", aisle)
//!                 .field("bay", bay),
//!         ))
//!     }
//! }
//!
//! export_plugin!(Shelf);
//! # fn main() {}
//! ```
//!
//! Its `Cargo.toml` needs `crate-type = ["cdylib"]` under `[lib]` and this crate
//! as a dependency; `cargo build --release --target wasm32-wasip2` then writes
//! the component to `target/wasm32-wasip2/release/<name>.wasm`.
//!
//! # What a plugin can and cannot do
//!
//! - **Every scan runs in a fresh instance.** Globals, statics and caches start
//!   over on each call: a plugin cannot count scans or remember the previous
//!   barcode, as an in-process plugin could. Build lookup tables as `const`
//!   data or recompute them per call.
//! - **No ambient rights.** Opening files, sockets, reading the environment or
//!   arguments fails inside the plugin. Standard output and standard error are
//!   captured and written to the server log, one line per line.
//! - **Hard limits.** CPU time, memory, the size of what a plugin prints and
//!   hands back, its open handles and its calls to the server (64 per scan,
//!   refused ones included: do not retry a refused call in a loop) are
//!   bounded per scan; a plugin that goes past a limit has its scan ended and
//!   the server asks the next plugin. What it prints reaches the server's log
//!   at 200 lines a minute at most.
//! - **Configuration.** An operator can give each installed plugin key/value
//!   settings; read them with [`config`] (for example a site's prefix).
//! - **Calls to the server, when granted.** [`catalog`] queries products and
//!   barcode records, [`stock`] reads and changes stock levels, and
//!   [`purchasing`] receives goods against purchase orders. Each function
//!   needs a capability the operator grants per plugin
//!   (`barcoded plugin grant NAME stock-write`); without it the call returns
//!   [`HostError::NotGranted`], and the scan's answer lists the refusal.
//!   Stock changes and receipts are booked only if your scan's answer is a
//!   decode: answering `Ok(None)`, `Err` or trapping books nothing.
//! - **`Ok(None)` versus `Err`.** Answer `Ok(None)` when the data is not your
//!   format, so other plugins get their turn. Answer `Err` only when the data
//!   is clearly yours but invalid (a wrong check digit, say); the server still
//!   asks the remaining plugins and reports your error only if none matches.

#![warn(missing_docs)]

// Lets the generated bindings and the export macro name this crate by one
// path both here and in plugin crates, which depend on this crate alone.
extern crate self as barcode_plugin_sdk;

#[doc(hidden)]
pub use wit_bindgen as __wit_bindgen;

/// Bindings generated from the `barcode:plugin` WIT package.
#[doc(hidden)]
pub mod bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        path: "../wit",
        world: "plugin",
        pub_export_macro: true,
        runtime_path: "::barcode_plugin_sdk::__wit_bindgen::rt",
    });
}

pub use bindings::barcode::plugin::types::HostError;
pub use bindings::exports::barcode::plugin::decoder::{Field, PluginInfo, ScanError, ScanResult};

/// Read-only queries of the server's catalog. Every function needs the
/// `catalog-read` capability.
pub mod catalog {
    pub use crate::bindings::barcode::plugin::catalog::{
        BarcodeMatch, BarcodeRecord, Product, SupplierPart, by_barcode, by_sku, by_supplier_part,
    };
}

/// Stock on hand per SKU and location: [`stock::level`] needs `stock-read`,
/// [`stock::adjust`] needs `stock-write`.
///
/// ```no_run
/// // Take 10 units from the line-side shelf for every scan of this card.
/// barcode_plugin_sdk::stock::adjust("SCREW-M4", "LINE-1", -10, "kanban card scanned")?;
/// # Ok::<(), barcode_plugin_sdk::HostError>(())
/// ```
pub mod stock {
    pub use crate::bindings::barcode::plugin::stock::{adjust, level};
}

/// Receiving goods against purchase orders; needs `po-receive`.
pub mod purchasing {
    pub use crate::bindings::barcode::plugin::purchasing::{OrderLine, receive};
}

impl HostError {
    /// The server's explanation, for logs and scan results.
    pub fn message(&self) -> &str {
        match self {
            HostError::NotGranted(text)
            | HostError::Refused(text)
            | HostError::Unavailable(text) => text,
        }
    }
}

/// The value the operator set for `key` on this plugin
/// (`barcoded plugin config NAME key=value`), if any.
pub fn config(key: &str) -> Option<String> {
    bindings::barcode::plugin::config::get(key)
}

/// Every setting the operator gave this plugin, sorted by key.
pub fn config_all() -> Vec<(String, String)> {
    bindings::barcode::plugin::config::all()
}

/// A barcode decoder. Implement it on a unit struct and pass that struct to
/// [`export_plugin!`].
pub trait Plugin {
    /// Describes the plugin; called once when the server loads it.
    fn info() -> PluginInfo;

    /// Decodes the raw text a scanner produced.
    ///
    /// `Ok(None)`: not this plugin's format. `Ok(Some(..))`: decoded.
    /// `Err(..)`: this plugin's format, but invalid.
    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError>;
}

impl ScanResult {
    /// A result of the given `format` with nothing else set yet.
    pub fn new(format: impl Into<String>) -> Self {
        ScanResult {
            format: format.into(),
            lookup_code: None,
            uom_code: None,
            quantity: None,
            fields: Vec::new(),
            payload: None,
        }
    }

    /// Sets the code the server looks the item up by in its catalog.
    pub fn lookup_code(mut self, code: impl Into<String>) -> Self {
        self.lookup_code = Some(code.into());
        self
    }

    /// Sets the unit of measure (a UN/CEFACT code such as `EA` or `CA`).
    pub fn uom_code(mut self, uom: impl Into<String>) -> Self {
        self.uom_code = Some(uom.into());
        self
    }

    /// Sets how many units the barcode stands for.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = Some(quantity);
        self
    }

    /// Appends a parsed field. Keys must be unique within one result.
    pub fn field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push(Field {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// Attaches a JSON document that the server passes to the client as is.
    /// It must be valid JSON, or the server refuses the whole result.
    pub fn payload(mut self, json: impl Into<String>) -> Self {
        self.payload = Some(json.into());
        self
    }
}

impl ScanError {
    /// An error for data of `format` that is invalid for `reason`.
    pub fn new(format: impl Into<String>, reason: impl Into<String>) -> Self {
        ScanError {
            format: format.into(),
            reason: reason.into(),
        }
    }
}

/// Exports a [`Plugin`] implementation as the component's `decoder` interface.
///
/// Call it once per plugin crate, at the top level, with the implementing type.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[doc(hidden)]
        struct __BarcodePluginExport;

        impl $crate::bindings::exports::barcode::plugin::decoder::Guest for __BarcodePluginExport {
            fn info() -> $crate::PluginInfo {
                <$plugin as $crate::Plugin>::info()
            }

            fn scan(
                data: ::std::string::String,
            ) -> ::std::result::Result<::std::option::Option<$crate::ScanResult>, $crate::ScanError>
            {
                <$plugin as $crate::Plugin>::scan(&data)
            }
        }

        $crate::bindings::export!(__BarcodePluginExport with_types_in $crate::bindings);
    };
}
