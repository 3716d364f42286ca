//! `GET /api/stock/{sku}`: a product's stock on hand, per location.

use serde_json::json;

use super::lookup::percent_decode;
use crate::answer::Answer;
use barcoded_app::Service;

pub fn handle(service: &Service, raw_sku: &str) -> Answer {
    let not_found = || Answer::error(404, "No product with this SKU");
    let Some(sku) = percent_decode(raw_sku).filter(|sku| !sku.is_empty()) else {
        return not_found();
    };
    let store = service.store();
    let levels = match store.product(&sku) {
        Ok(Some(_)) => store.stock_levels(Some(&sku)),
        Ok(None) => return not_found(),
        Err(error) => return Answer::store_failure(&error),
    };
    match levels {
        Ok(levels) => {
            let total: i64 = levels.iter().map(|(_, _, level)| level).sum();
            let locations: Vec<_> = levels
                .into_iter()
                .map(|(_, location, level)| json!({ "location": location, "level": level }))
                .collect();
            Answer {
                status: 200,
                body: json!({ "sku": sku, "locations": locations, "total": total }),
            }
        }
        Err(error) => Answer::store_failure(&error),
    }
}
