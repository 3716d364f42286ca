//! A plugin built against the WIT as it was published before the receiving
//! export and the new `purchasing` functions were added (`wit/` here is
//! barcode:plugin@0.1.0 as of that release, kept unchanged): the server must
//! keep loading it, asking it only what it claims, letting it read the
//! catalog and receive through the old `purchasing.receive`, and never ask
//! it to receive at `po-receive`, which it does not export.
//!
//! It decodes `PREV:<ORDER>:<SKU>:<QUANTITY>`: the product's name as a
//! field, and the quantity received against the order's line.

wit_bindgen::generate!({ path: "wit", world: "plugin-with-claims" });

use barcode::plugin::{catalog, purchasing};
use exports::barcode::plugin::claims;
use exports::barcode::plugin::decoder::{Field, Guest, PluginInfo, ScanError, ScanResult};

struct Previous;

impl Guest for Previous {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "previous-wit".into(),
            title: "Built against the previous WIT".into(),
            description: "Decodes PREV:<order>:<sku>:<quantity> and receives it".into(),
            version: "0.1.0".into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(data: String) -> Result<Option<ScanResult>, ScanError> {
        let Some(rest) = data.strip_prefix("PREV:") else {
            return Ok(None);
        };
        let invalid = |reason: &str| ScanError {
            format: "PREV".into(),
            reason: reason.into(),
        };
        let mut parts = rest.splitn(3, ':');
        let (Some(order), Some(sku), Some(quantity)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("expected PREV:<order>:<sku>:<quantity>"));
        };
        let quantity: u32 = quantity.parse().map_err(|_| invalid("bad quantity"))?;
        let name = match catalog::by_sku(sku) {
            Ok(Some(product)) => product.name,
            Ok(None) => return Err(invalid("no such product")),
            Err(_) => "(catalog not readable)".into(),
        };
        let receipt = match purchasing::receive(order, sku, quantity) {
            Ok(line) => format!("{} of {} received", line.received, line.ordered),
            Err(_) => "not received".into(),
        };
        Ok(Some(ScanResult {
            format: "PREV".into(),
            lookup_code: Some(sku.into()),
            uom_code: None,
            quantity: Some(quantity),
            fields: vec![
                Field {
                    key: "name".into(),
                    value: name,
                },
                Field {
                    key: "receipt".into(),
                    value: receipt,
                },
            ],
            payload: None,
        }))
    }
}

impl claims::Guest for Previous {
    fn patterns() -> Vec<String> {
        vec!["^PREV:".into()]
    }
}

export!(Previous);
