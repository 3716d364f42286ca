//! Hostile test plugin: granted nothing, it asks the catalog for a product
//! in a loop that never ends, so every call is refused. The server must stop
//! it at its host-call limit and log a bounded number of lines.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, catalog, export_plugin};

struct Calls;

impl Plugin for Calls {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-calls".into(),
            title: "Host-call flood".into(),
            description: "Calls catalog.by-sku without a grant, forever.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        loop {
            let _ = catalog::by_sku(data);
        }
    }
}

export_plugin!(Calls);
