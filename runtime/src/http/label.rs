//! `GET /api/barcode/label/{code}?uomCode=&symbology=&batch=&expiry=`: the
//! active catalog record for a code as a label symbol, in SVG at its
//! nominal print size. Without `symbology`, the one that fits the record's
//! format (EAN-13 as EAN-13, a GTIN-14 or SSCC as GS1-128, an internal code
//! as Code 128), or Code 128 when that one cannot carry the code; `batch` and
//! `expiry` (YYMMDD) add AIs (10) and (17) to a GS1 symbol.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

use super::symbols::{self, Extras, Symbology};
use super::{body, query};
use crate::answer::Answer;
use barcoded_app::Service;

/// The parameters the endpoint reads.
const PARAMETERS: [&str; 4] = ["uomCode", "symbology", "batch", "expiry"];

pub async fn barcode(
    service: &Service,
    raw_code: &str,
    raw_query: Option<&str>,
) -> Response<Full<Bytes>> {
    match drawn(service, raw_code, raw_query.unwrap_or("")).await {
        Ok(svg) => body::response(StatusCode::OK, "image/svg+xml", svg),
        Err(answer) => body::json_response(&answer),
    }
}

async fn drawn(service: &Service, raw_code: &str, raw_query: &str) -> Result<String, Answer> {
    query::known_parameters(raw_query, &PARAMETERS)
        .map_err(|message| Answer::error(StatusCode::BAD_REQUEST, message))?;
    let param = |name| query::query_param(raw_query, name).filter(|v: &String| !v.is_empty());
    let symbology = match param("symbology") {
        Some(name) => Some(Symbology::named(&name).ok_or_else(|| {
            Answer::error(
                StatusCode::BAD_REQUEST,
                "symbology is one of ean13, upca, code128, gs1-128, datamatrix, gs1-datamatrix \
                 (QR codes: /api/barcode/qr/{code})",
            )
        })?),
        None => None,
    };
    let not_found = || Answer::error(StatusCode::NOT_FOUND, "Barcode not found");
    let code = query::percent_decode(raw_code).ok_or_else(not_found)?;
    let found = service
        .office()
        .lookup(code.trim(), param("uomCode").as_deref())
        .await
        .map_err(|error| Answer::store_failure(&error))?
        .ok_or_else(not_found)?;
    let record = found.barcode;
    let extras = Extras {
        batch: param("batch"),
        expiry: param("expiry"),
    };
    // Asked for none, a code its format's symbology cannot carry (a wrong
    // check digit, say) is drawn as Code 128, which carries any text.
    let symbology = match symbology {
        Some(symbology) => symbology,
        None => {
            let fitting = Symbology::fitting(&record.format);
            match symbols::draw(fitting, &record.barcode, &extras) {
                Ok(svg) => return Ok(svg),
                Err(_) => Symbology::Code128,
            }
        }
    };
    symbols::draw(symbology, &record.barcode, &extras).map_err(|reason| {
        Answer::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{} as {}: {reason}", record.barcode, symbology.name()),
        )
    })
}
