//! Hostile test plugin: spins forever on every scan. The CPU limit must end it.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Spin;

impl Plugin for Spin {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-loop".into(),
            title: "Infinite loop".into(),
            description: "Never returns from scan.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

export_plugin!(Spin);
