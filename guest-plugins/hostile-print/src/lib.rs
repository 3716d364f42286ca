//! Hostile test plugin: prints without end. The output limit must end it.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Chatter;

impl Plugin for Chatter {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-print".into(),
            title: "Endless printing".into(),
            description: "Prints lines forever.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        let mut n: u64 = 0;
        loop {
            println!("line {n}: all work and no play");
            n += 1;
        }
    }
}

export_plugin!(Chatter);
