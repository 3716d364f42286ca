//! Write barcode decoder plugins for `barcoded`.
//!
//! A plugin is a type that implements [`Plugin`] and one call to
//! [`export_plugin!`]. Built for `wasm32-wasip2` as a `cdylib`, it becomes a
//! WebAssembly component that `barcoded` loads and runs in a sandbox.
//!
//! # A complete plugin
//!
//! What `barcoded plugin new shelf --lang rust` writes to `src/lib.rs`, with
//! its tests (`cargo test` runs them natively, the host faked by
//! [`testing::FakeHost`]):
//!
#![doc = concat!("```\n", include_str!("../templates/rust/lib.rs"), "```\n")]
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
//! - **Supplier labels.** [`supplier`] reads ECIA / ISO 15434 labels into the
//!   field names InvenTree's supplier plugins use (and the Python and
//!   JavaScript SDKs' supplier bases), so a label reads alike in every
//!   language.
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
        path: "wit",
        world: "plugin-with-claims",
        pub_export_macro: true,
        runtime_path: "::barcode_plugin_sdk::__wit_bindgen::rt",
    });
}

pub use bindings::barcode::plugin::types::HostError;
pub use bindings::exports::barcode::plugin::decoder::{Field, PluginInfo, ScanError, ScanResult};

mod host;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

/// Read-only queries of the server's catalog. Every function needs the
/// `catalog-read` capability.
pub mod catalog {
    use crate::HostError;
    pub use crate::bindings::barcode::plugin::catalog::{
        BarcodeMatch, BarcodeRecord, Product, SupplierPart,
    };

    /// The active barcode record for a scanned value, as the lookup API
    /// resolves it (a GTIN-14 also finds its 13-, 12- and 8-digit forms).
    pub fn by_barcode(code: &str) -> Result<Option<BarcodeMatch>, HostError> {
        crate::host::by_barcode(code)
    }

    /// The product with this SKU.
    pub fn by_sku(sku: &str) -> Result<Option<Product>, HostError> {
        crate::host::by_sku(sku)
    }

    /// Products that list `part` among their supplier part numbers; at most
    /// 16, in SKU order.
    pub fn by_supplier_part(part: &str) -> Result<Vec<Product>, HostError> {
        crate::host::by_supplier_part(part)
    }
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
    use crate::HostError;

    /// The on-hand quantity of `sku` at `location`, counting this scan's
    /// own adjustments.
    pub fn level(sku: &str, location: &str) -> Result<i64, HostError> {
        crate::host::level(sku, location)
    }

    /// Changes the on-hand quantity of `sku` at `location` by `delta`
    /// (negative takes from stock), for `reason`. Booked only if this
    /// plugin's answer is the scan's decode.
    pub fn adjust(sku: &str, location: &str, delta: i64, reason: &str) -> Result<(), HostError> {
        crate::host::adjust(sku, location, delta, reason)
    }
}

/// Purchase orders: reading them needs `catalog-read`, receiving goods
/// against them `po-receive`.
pub mod purchasing {
    use crate::HostError;
    pub use crate::bindings::barcode::plugin::purchasing::{OrderLine, PurchaseOrder};

    /// Books `quantity` units of `sku` as received against `order`, into
    /// the order's location, and returns the order line after the receipt.
    pub fn receive(order: &str, sku: &str, quantity: u32) -> Result<OrderLine, HostError> {
        crate::host::receive(order, sku, quantity, None)
    }

    /// As [`receive`], into `location`.
    pub fn receive_into(
        order: &str,
        sku: &str,
        quantity: u32,
        location: &str,
    ) -> Result<OrderLine, HostError> {
        crate::host::receive(order, sku, quantity, Some(location))
    }

    /// The purchase order numbered `number`, as it is now.
    pub fn order(number: &str) -> Result<Option<PurchaseOrder>, HostError> {
        crate::host::order(number)
    }

    /// The purchase orders whose supplier reference is `reference`; at
    /// most 16, in number order.
    pub fn orders_by_supplier_reference(reference: &str) -> Result<Vec<PurchaseOrder>, HostError> {
        crate::host::orders_by_supplier_reference(reference)
    }
}

pub mod supplier;

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
    host::config(key)
}

/// Every setting the operator gave this plugin, sorted by key.
pub fn config_all() -> Vec<(String, String)> {
    host::config_all()
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

    /// Regular expressions (Rust `regex` syntax), one of which data must
    /// match somewhere for the server to ask this plugin about it; anchor
    /// them with `^` and `$`. The server then skips instantiating the
    /// plugin for every other scan, which makes scans of other formats
    /// cheaper. Declare everything [`Plugin::scan`] would decode or reject,
    /// no narrower. Empty (the default): the plugin is asked about every
    /// scan.
    ///
    /// ```
    /// # struct Gtin;
    /// # impl barcode_plugin_sdk::Plugin for Gtin {
    /// # fn info() -> barcode_plugin_sdk::PluginInfo { unimplemented!() }
    /// # fn scan(_: &str) -> Result<Option<barcode_plugin_sdk::ScanResult>, barcode_plugin_sdk::ScanError> { Ok(None) }
    /// const CLAIMS: &'static [&'static str] = &["^[0-9]{8}$", "^[0-9]{12,14}$"];
    /// # }
    /// ```
    const CLAIMS: &'static [&'static str] = &[];
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

/// Exports a [`Plugin`] implementation as the component's `decoder` and
/// `claims` interfaces.
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

        impl $crate::bindings::exports::barcode::plugin::claims::Guest for __BarcodePluginExport {
            fn patterns() -> ::std::vec::Vec<::std::string::String> {
                <$plugin as $crate::Plugin>::CLAIMS
                    .iter()
                    .map(|pattern| ::std::string::ToString::to_string(pattern))
                    .collect()
            }
        }

        $crate::bindings::export!(__BarcodePluginExport with_types_in $crate::bindings);
    };
}
