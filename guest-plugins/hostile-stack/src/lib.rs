//! Hostile test plugin: recurses until the stack is gone. The stack limit must end it.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Deep;

/// Keeps its values in wasm locals, so each call takes engine stack (the
/// limit under test) rather than Rust's shadow stack in linear memory.
fn descend(depth: u64) -> u64 {
    if std::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    descend(depth + 1).wrapping_mul(3).wrapping_add(depth)
}

impl Plugin for Deep {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-stack".into(),
            title: "Stack overflow".into(),
            description: "Recurses without end.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(_data: &str) -> Result<Option<ScanResult>, ScanError> {
        Ok(Some(
            ScanResult::new("DEEP").field("depth", descend(0).to_string()),
        ))
    }
}

export_plugin!(Deep);
