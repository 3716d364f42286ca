//! `GET /api/barcode/lookup/{code}?uomCode=..`: resolve a code to its
//! barcode record and product, exactly as POS clients expect.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde::Serialize;

use super::body;
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
pub fn handle(service: &Service, raw_code: &str, query: Option<&str>) -> Response<Full<Bytes>> {
    let not_found = || body::json_response(&Answer::error(404, "Barcode not found"));
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
    let found = service.store().lookup(code, uom.as_deref());
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

/// The decoded value of `name` in a query string, if present.
pub(super) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key)? == name)
            .then(|| percent_decode(&value.replace('+', " ")))
            .flatten()
    })
}

/// Decodes `%XX` escapes; `None` for a broken escape or invalid UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_query_values_are_url_decoded() {
        assert_eq!(percent_decode("AB%2F12.3-4").as_deref(), Some("AB/12.3-4"));
        assert_eq!(percent_decode("%20x%20").as_deref(), Some(" x "));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(
            query_param("a=1&uomCode=CA", "uomCode").as_deref(),
            Some("CA")
        );
        assert_eq!(query_param("uomCode=", "uomCode").as_deref(), Some(""));
        assert_eq!(query_param("uom=CA", "uomCode"), None);
    }
}
