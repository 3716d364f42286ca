//! Hostile test plugin: sleeps for an hour. Waiting on a clock happens in
//! the host, where CPU limits cannot reach, so the host must refuse it.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Sleeper;

impl Plugin for Sleeper {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-sleep".into(),
            title: "Sleeper".into(),
            description: "Sleeps an hour on every scan.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        std::thread::sleep(std::time::Duration::from_secs(3600));
        Ok(None)
    }
}

export_plugin!(Sleeper);
