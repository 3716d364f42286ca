//! Hostile test plugin: answers every scan with megabytes of fields.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Flood;

impl Plugin for Flood {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-huge".into(),
            title: "Huge answer".into(),
            description: "Returns 100,000 fields of 64 bytes.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        let value = "x".repeat(64);
        let result = (0..100_000).fold(ScanResult::new("FLOOD"), |result, i| {
            result.field(format!("f{i}"), value.clone())
        });
        Ok(Some(result))
    }
}

export_plugin!(Flood);
