//! Hostile test plugin: traps in its initialisation code, which runs before
//! any export in every new instance. It must be refused when loaded.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Broken;

#[cfg(target_family = "wasm")]
extern "C" fn explode() {
    panic!("initialisation failed on purpose");
}

// Only in the component: natively (host unit-test builds) this would abort
// the test binary.
#[cfg(target_family = "wasm")]
#[used]
#[unsafe(link_section = ".init_array")]
static INIT: extern "C" fn() = explode;

impl Plugin for Broken {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-init".into(),
            title: "Trap at initialisation".into(),
            description: "Traps before any export runs.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        Ok(None)
    }
}

export_plugin!(Broken);
