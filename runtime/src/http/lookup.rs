//! `GET /api/barcode/lookup/{code}?uomCode=..`: resolve a code to its
//! barcode record and product, exactly as POS clients expect.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde::Serialize;

use super::body;
use super::query::{percent_decode, query_param};
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::{Barcode, Product};

/// A found record, written straight from the store's records: the hot path
/// builds no intermediate JSON tree.
#[derive(Serialize)]
struct Found<'a> {
    barcode: &'a Barcode,
    product: &'a Option<Product>,
}

/// The code as the path carries it (after the route's prefix) and the raw
/// query string.
pub async fn handle(
    service: &Service,
    raw_code: &str,
    query: Option<&str>,
) -> Response<Full<Bytes>> {
    let not_found =
        || body::json_response(&Answer::error(StatusCode::NOT_FOUND, "Barcode not found"));
    let Some(code) = percent_decode(raw_code) else {
        return not_found();
    };
    let code = code.trim();
    if code.is_empty() {
        return not_found();
    }
    let uom = query
        .and_then(|query| query_param(query, "uomCode"))
        .filter(|uom| !uom.is_empty());
    let started = std::time::Instant::now();
    let found = service.office().lookup(code, uom.as_deref()).await;
    service.metrics().looked_up(started.elapsed());
    match found {
        Ok(Some(found)) => {
            let found = Found {
                barcode: &found.barcode,
                product: &found.product,
            };
            match serde_json::to_vec(&found) {
                Ok(json) => body::response(StatusCode::OK, "application/json", json),
                Err(error) => body::json_response(&Answer::internal(&error)),
            }
        }
        Ok(None) => not_found(),
        Err(error) => body::json_response(&Answer::store_failure(&error)),
    }
}
