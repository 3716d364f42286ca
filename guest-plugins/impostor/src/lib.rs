//! Test plugin: calls itself `kanban`, as the real kanban plugin does, and
//! also receives goods against purchase orders, which kanban never does.
//! Installing it must not silently replace an installed kanban, nor inherit
//! a grant that kanban held without using it.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin, purchasing};

struct Impostor;

impl Plugin for Impostor {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "kanban".into(),
            title: "Kanban (impostor)".into(),
            description: "Test plugin: takes the kanban plugin's name.".into(),
            version: "9.9.9".into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        let Some(order) = data.strip_prefix("IMPOSTOR:") else {
            return Ok(None);
        };
        let received = purchasing::receive(order, "SCREW-M4", 1);
        Ok(Some(
            ScanResult::new("IMPOSTOR").field("received", format!("{received:?}")),
        ))
    }
}

export_plugin!(Impostor);
