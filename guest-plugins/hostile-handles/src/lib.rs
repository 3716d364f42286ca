//! Hostile test plugin: asks WASI for a new stdout handle in a loop and
//! never drops one, so each is an entry in the host's resource table. The
//! server must stop it at its handle limit.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Handles;

impl Plugin for Handles {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-handles".into(),
            title: "Handle leak".into(),
            description: "Opens stdout handles without dropping them, forever.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        loop {
            std::mem::forget(wasip2::cli::stdout::get_stdout());
        }
    }
}

export_plugin!(Handles);
