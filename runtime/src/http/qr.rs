//! `GET /api/barcode/qr/{code}?uomCode=..` and `GET /api/barcode/qr/product/{sku}`:
//! the service's own QR codes, as SVG, for labels and shelf edges. They
//! carry a small JSON object that the `native-qr` plugin decodes and the
//! scan endpoint joins back to the catalog:
//! `{"barcode":"15410317126586","uomCode":"CA"}` or `{"product":"SKU"}`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;

use super::{body, query};
use crate::answer::Answer;
use barcoded_app::Service;

/// The QR code of the active record for `raw_code` (and `uomCode`).
pub async fn barcode(
    service: &Service,
    raw_code: &str,
    query: Option<&str>,
) -> Response<Full<Bytes>> {
    svg_response(barcode_payload(service, raw_code, query).await)
}

/// The QR code of the product `raw_sku`.
pub async fn product(service: &Service, raw_sku: &str) -> Response<Full<Bytes>> {
    svg_response(product_payload(service, raw_sku).await)
}

fn svg_response(payload: Result<String, Answer>) -> Response<Full<Bytes>> {
    match payload.and_then(|payload| svg_of(&payload)) {
        Ok(svg) => body::response(StatusCode::OK, "image/svg+xml", svg),
        Err(answer) => body::json_response(&answer),
    }
}

/// The payload naming the active record for `raw_code` (and `uomCode`).
async fn barcode_payload(
    service: &Service,
    raw_code: &str,
    query: Option<&str>,
) -> Result<String, Answer> {
    let not_found = || Answer::error(StatusCode::NOT_FOUND, "Barcode not found");
    let code = query::percent_decode(raw_code).ok_or_else(not_found)?;
    let uom = query
        .and_then(|q| query::query_param(q, "uomCode"))
        .filter(|u| !u.is_empty());
    let found = service
        .office()
        .lookup(code.trim(), uom.as_deref())
        .await
        .map_err(|error| Answer::store_failure(&error))?
        .ok_or_else(not_found)?;
    Ok(json!({ "barcode": found.barcode.barcode, "uomCode": found.barcode.uom_code }).to_string())
}

/// The payload naming the product with `raw_sku`.
async fn product_payload(service: &Service, raw_sku: &str) -> Result<String, Answer> {
    let not_found = || Answer::error(StatusCode::NOT_FOUND, "Product not found");
    let sku = query::percent_decode(raw_sku).ok_or_else(not_found)?;
    let product = service
        .office()
        .product(sku.trim())
        .await
        .map_err(|error| Answer::store_failure(&error))?
        .ok_or_else(not_found)?;
    Ok(json!({ "product": product.sku }).to_string())
}

fn svg_of(payload: &str) -> Result<String, Answer> {
    let code = QrCode::new(payload.as_bytes()).map_err(|error| Answer::internal(&error))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `payload` as the endpoint does and reads it back with an
    /// independent QR decoder.
    fn round_trip(payload: &str) -> String {
        let code = QrCode::new(payload.as_bytes()).unwrap();
        let width = code.width();
        let quiet = 4;
        let size = width + 2 * quiet;
        let dark = code.to_colors();
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size * 4, size * 4, |x, y| {
            let (mx, my) = ((x / 4).checked_sub(quiet), (y / 4).checked_sub(quiet));
            match (mx, my) {
                (Some(mx), Some(my))
                    if mx < width && my < width && dark[my * width + mx] == qrcode::Color::Dark =>
                {
                    0
                }
                _ => 255,
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the picture");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_drawn_code_carries_the_payload() {
        for payload in [
            r#"{"barcode":"15410317126586","uomCode":"CA"}"#,
            r#"{"product":"DV-KAT-SENIOR-2KG"}"#,
        ] {
            assert_eq!(round_trip(payload), payload);
            assert!(svg_of(payload).unwrap().starts_with("<?xml"));
        }
    }
}
