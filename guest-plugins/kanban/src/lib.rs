//! Kanban cards: every scan of a card takes a fixed quantity of its product
//! from stock, the way a line-side bin is refilled or consumed.
//!
//! A card reads `KANBAN:<SKU>`. Settings (`barcoded plugin config kanban
//! key=value`): `quantity` taken per scan (default 10) and `location` taken
//! from (default `LINE-1`). Needs the `stock-write` capability:
//! `barcoded plugin grant kanban stock-write`. Without it the card still
//! decodes, nothing moves, and the scan's answer says why.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, config, export_plugin, stock};

const PREFIX: &str = "KANBAN:";
const FORMAT: &str = "KANBAN";

struct Kanban;

impl Plugin for Kanban {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "kanban".into(),
            title: "Kanban cards".into(),
            description: "Decodes KANBAN:<SKU> cards and takes a fixed quantity of the product \
                          from stock on every scan."
                .into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        let Some(sku) = data.strip_prefix(PREFIX) else {
            return Ok(None);
        };
        if sku.is_empty() {
            return Err(ScanError::new(
                FORMAT,
                "the card names no SKU after KANBAN:",
            ));
        }
        let quantity = match config("quantity") {
            None => 10,
            Some(text) => text.parse::<u32>().ok().filter(|q| *q > 0).ok_or_else(|| {
                ScanError::new(
                    FORMAT,
                    format!("the plugin's quantity setting {text:?} is not a positive number"),
                )
            })?,
        };
        let location = config("location").unwrap_or_else(|| "LINE-1".into());
        let taken = stock::adjust(sku, &location, -i64::from(quantity), "kanban card scanned");
        Ok(Some(
            ScanResult::new(FORMAT)
                .lookup_code(sku)
                .quantity(quantity)
                .field("sku", sku)
                .field("location", location)
                .field(
                    "stock",
                    match taken {
                        Ok(()) => "taken".to_owned(),
                        Err(error) => format!("not taken: {}", error.message()),
                    },
                ),
        ))
    }

    const CLAIMS: &'static [&'static str] = &[r"^KANBAN:"];
}

export_plugin!(Kanban);
