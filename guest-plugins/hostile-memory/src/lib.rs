//! Hostile test plugin: allocates without end. The memory limit must end it.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Hog;

impl Plugin for Hog {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-memory".into(),
            title: "Memory bomb".into(),
            description: "Allocates until memory runs out.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1u8; 1 << 20]);
            std::hint::black_box(&hoard);
        }
    }
}

export_plugin!(Hog);
