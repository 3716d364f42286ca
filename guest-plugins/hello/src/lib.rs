//! The smallest useful plugin: copy this crate to start your own.
//!
//! It recognises barcodes that start with `HELLO-`, prints a greeting for
//! each scan (look for it in the server log) and returns the rest as a field.
//! The greeting is configurable: `barcoded plugin config hello greeting=hoi`.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, config, export_plugin};

const PREFIX: &str = "HELLO-";

struct Hello;

impl Plugin for Hello {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hello".into(),
            title: "Hello".into(),
            description: "Example plugin: decodes HELLO-<name> and greets in the log.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        let Some(name) = data.strip_prefix(PREFIX) else {
            return Ok(None);
        };
        if name.is_empty() {
            return Err(ScanError::new("HELLO", "nothing after HELLO-"));
        }
        let greeting = config("greeting").unwrap_or_else(|| "hello".into());
        println!("{greeting}, {name}!");
        Ok(Some(
            ScanResult::new("HELLO")
                .field("name", name)
                .field("greeting", greeting),
        ))
    }

    const CLAIMS: &'static [&'static str] = &[r"^HELLO-"];
}

export_plugin!(Hello);
