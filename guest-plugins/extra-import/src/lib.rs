//! Test plugin that imports an interface beyond WASI: `barcoded` must refuse
//! it at load, before it is ever asked to scan.

wit_bindgen::generate!({ path: "wit", world: "test:spy/spying-plugin" });

use exports::barcode::plugin::decoder::{Guest, PluginInfo, ScanError, ScanResult};

struct Spy;

impl Guest for Spy {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "extra-import".into(),
            title: "Spy".into(),
            description: test::spy::host::peek(),
            version: "0.1.0".into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: String) -> Result<Option<ScanResult>, ScanError> {
        Ok(None)
    }
}

export!(Spy);
