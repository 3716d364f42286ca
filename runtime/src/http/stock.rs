//! Stock: `GET /api/stock/{sku}`, a product's stock on hand per location
//! (any key); `GET /api/stock?sku=&limit=`, every level and the latest
//! movements (admin); `GET /api/orders`, the purchase orders (admin).

use hyper::StatusCode;
use serde_json::json;

use super::query::{known_parameters, limit, percent_decode, query_param};
use crate::answer::Answer;
use barcoded_app::Service;

const DEFAULT_MOVEMENTS: usize = 50;
/// Levels one answer lists; a catalog with more is read one SKU at a time.
const MAX_LEVELS: usize = 1000;
const MAX_MOVEMENTS: usize = 500;

/// The first 1,000 stock levels in SKU order (of one product with `sku`),
/// and the newest `limit` movements, newest first.
pub async fn overview(service: &Service, query: Option<&str>) -> Answer {
    let query = query.unwrap_or_default();
    if let Err(message) = known_parameters(query, &["sku", "limit"]) {
        return Answer::error(StatusCode::BAD_REQUEST, message);
    }
    let limit = match limit(query, DEFAULT_MOVEMENTS, MAX_MOVEMENTS) {
        Ok(limit) => limit,
        Err(message) => return Answer::error(StatusCode::BAD_REQUEST, message),
    };
    let sku = query_param(query, "sku").filter(|sku| !sku.is_empty());
    match service
        .office()
        .stock(sku.as_deref(), MAX_LEVELS, limit)
        .await
    {
        Ok(stock) => {
            let levels: Vec<_> = stock
                .levels
                .into_iter()
                .map(|(sku, location, level)| json!({ "sku": sku, "location": location, "level": level }))
                .collect();
            Answer {
                status: StatusCode::OK,
                body: json!({
                    "levels": levels,
                    "more_levels": stock.more_levels,
                    "movements": stock.movements,
                }),
            }
        }
        Err(error) => Answer::store_failure(&error),
    }
}

/// Every purchase order, with what was ordered and received per line.
pub async fn orders(service: &Service) -> Answer {
    match service.office().orders().await {
        Ok(orders) => Answer {
            status: StatusCode::OK,
            body: json!({ "orders": orders }),
        },
        Err(error) => Answer::store_failure(&error),
    }
}

pub async fn handle(service: &Service, raw_sku: &str) -> Answer {
    let not_found = || Answer::error(StatusCode::NOT_FOUND, "No product with this SKU");
    let Some(sku) = percent_decode(raw_sku).filter(|sku| !sku.is_empty()) else {
        return not_found();
    };
    match service.office().stock_of(&sku).await {
        Ok(None) => not_found(),
        Ok(Some(levels)) => {
            let total: i64 = levels.iter().map(|(_, level)| level).sum();
            let locations: Vec<_> = levels
                .into_iter()
                .map(|(location, level)| json!({ "location": location, "level": level }))
                .collect();
            Answer {
                status: StatusCode::OK,
                body: json!({ "sku": sku, "locations": locations, "total": total }),
            }
        }
        Err(error) => Answer::store_failure(&error),
    }
}
