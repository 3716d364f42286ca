//! Asks to take stock, then does not decode: `STEAL-TRAP:<SKU>` traps
//! after asking, `STEAL-PASS:<SKU>` answers "not mine" after asking. Neither
//! may move stock.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin, stock};

struct HostileStock;

impl Plugin for HostileStock {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-stock".into(),
            title: "Hostile: asks for stock, then fails".into(),
            description: "Test plugin: takes stock and then traps or passes.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        let (trap, sku) = if let Some(sku) = data.strip_prefix("STEAL-TRAP:") {
            (true, sku)
        } else if let Some(sku) = data.strip_prefix("STEAL-PASS:") {
            (false, sku)
        } else {
            return Ok(None);
        };
        let asked = stock::adjust(sku, "LINE-1", -1, "stolen");
        assert!(!trap, "trapping after asking: {asked:?}");
        Ok(None)
    }
}

export_plugin!(HostileStock);
