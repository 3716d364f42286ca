//! InvenTree's barcode links: `POST /api/barcode/link/` ties a barcode no
//! plugin knows to a product, `POST /api/barcode/unlink/` takes it off, with
//! InvenTree's request and answer shapes (its `part` is a product here,
//! named by SKU). The admin API lists and removes links at
//! `/api/admin/links`.

use hyper::StatusCode;
use hyper::body::Incoming;
use serde_json::{Map, Value, json};

use super::body;
use super::query::percent_decode;
use super::scan::{MAX_BODY_BYTES, barcode_field};
use crate::answer::{Answer, INVENTREE_MODELS};
use barcoded_app::{LinkError, Service, StoreError};
use barcoded_domain::{Admin, barcode_hash};

/// Longest barcode a link takes, as sent: a barcode record's longest value.
const MAX_LINKED_CHARS: usize = 256;

/// What a link request looks like.
const EXAMPLE: &str = r#"{"barcode": "...", "part": "SKU"}"#;

/// The InvenTree model a product stands for in link requests and answers.
const MODEL: &str = "part";

/// `POST /api/barcode/link/` with `{"barcode": .., "part": SKU}`.
pub async fn link(service: &Service, by: &Admin, request_body: Incoming) -> Answer {
    let request = match read_object(request_body, EXAMPLE).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let data = match barcode_field(&request, MAX_LINKED_CHARS) {
        Ok(data) => data,
        Err(message) => return Answer::error(StatusCode::BAD_REQUEST, message),
    };
    let sku = match product_of(&request) {
        Ok(sku) => sku,
        Err(answer) => return answer,
    };
    match service.link(by, &data, &sku).await {
        Ok(linked) => Answer {
            status: StatusCode::OK,
            body: json!({
                "success": format!("Assigned barcode to {MODEL} instance"),
                MODEL: { "pk": sku },
                "barcode_data": data,
                "barcode_hash": barcode_hash(&data),
                "barcode": linked.barcode,
                "replaced": linked.replaced,
            }),
        },
        Err(LinkError::Claimed { plugin }) => Answer {
            status: StatusCode::CONFLICT,
            body: json!({
                "error": format!(
                    "Barcode matches existing item: plugin {plugin} recognises it, so its \
                     scans never reach a link"
                ),
                "plugin": plugin,
                "barcode_data": data,
                "barcode_hash": barcode_hash(&data),
            }),
        },
        Err(LinkError::Invalid(message)) => Answer::error(StatusCode::BAD_REQUEST, message),
        Err(LinkError::Store(error)) => store_refusal(&error),
    }
}

/// `POST /api/barcode/unlink/` with `{"part": SKU}`.
pub async fn unlink(service: &Service, by: &Admin, request_body: Incoming) -> Answer {
    let request = match read_object(request_body, EXAMPLE).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let sku = match product_of(&request) {
        Ok(sku) => sku,
        Err(answer) => return answer,
    };
    match service.office().unlink(by, &sku).await {
        Ok(removed) => Answer {
            status: StatusCode::OK,
            body: json!({
                "success": format!("Barcode unassigned from {MODEL} instance"),
                "unlinked": removed,
            }),
        },
        Err(error) => store_refusal(&error),
    }
}

/// `GET /api/admin/links`: every link, active or not.
pub async fn list(service: &Service) -> Answer {
    match service.office().links().await {
        Ok(links) => Answer {
            status: StatusCode::OK,
            body: json!({ "links": links }),
        },
        Err(error) => Answer::store_failure(&error),
    }
}

/// `DELETE /api/admin/links/{sku}`: removes the product's link.
pub async fn remove(service: &Service, by: &Admin, raw_sku: &str) -> Answer {
    let Some(sku) = percent_decode(raw_sku).filter(|sku| !sku.is_empty()) else {
        return Answer::error(StatusCode::NOT_FOUND, "No product with this SKU");
    };
    match service.office().unlink(by, &sku).await {
        Ok(Some(removed)) => Answer {
            status: StatusCode::OK,
            body: json!({ "unlinked": removed }),
        },
        Ok(None) => Answer::error(
            StatusCode::NOT_FOUND,
            format!("Product {sku} has no linked barcode"),
        ),
        Err(error) => store_refusal(&error),
    }
}

/// The request's JSON object; `example` shows what it should look like.
pub(super) async fn read_object(
    request_body: Incoming,
    example: &str,
) -> Result<Map<String, Value>, Answer> {
    let bytes = body::read_bounded(request_body, MAX_BODY_BYTES).await?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(Answer::error(
            StatusCode::BAD_REQUEST,
            format!("Request body must be a JSON object like {example}"),
        )),
        Err(error) => Err(Answer::error(
            StatusCode::BAD_REQUEST,
            format!("Request body is not valid JSON: {error}"),
        )),
    }
}

/// The product a request names: `part` as its SKU, a string or (for
/// numeric SKUs, as InvenTree's clients send a pk) an integer.
fn product_of(request: &Map<String, Value>) -> Result<String, Answer> {
    let sku = match request.get(MODEL) {
        Some(Value::String(sku)) => sku.trim().to_owned(),
        // A pk as InvenTree's clients send it, 42 or 42.0.
        Some(Value::Number(number)) if let Some(pk) = whole(number) => pk.to_string(),
        Some(_) => {
            return Err(Answer::error(
                StatusCode::BAD_REQUEST,
                "`part` must be the product's SKU, as a string",
            ));
        }
        None => {
            // InvenTree's other models have no counterpart here.
            let model = INVENTREE_MODELS
                .iter()
                .find(|model| **model != MODEL && request.contains_key(**model));
            return Err(Answer::error(
                StatusCode::BAD_REQUEST,
                match model {
                    Some(model) => format!(
                        "barcoded links barcodes to products only, not to a {model}: send \
                         {{\"part\": \"<SKU>\"}}"
                    ),
                    None => "Missing data: provide `part`, the product's SKU".to_owned(),
                },
            ));
        }
    };
    if sku.is_empty() {
        return Err(Answer::error(StatusCode::BAD_REQUEST, "`part` is empty"));
    }
    Ok(sku)
}

/// A non-negative whole number, written either way JSON allows.
pub(super) fn whole(number: &serde_json::Number) -> Option<u64> {
    number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..9.007_199_254_740_992e15).contains(f))
            .map(|f| f as u64)
    })
}

/// A store error as the answer: a missing product is 404, a refusal (the
/// value already resolves to a record) 409, a failure 503 or 500.
fn store_refusal(error: &StoreError) -> Answer {
    match error {
        StoreError::NotFound(message) => Answer::error(StatusCode::NOT_FOUND, message.clone()),
        StoreError::Refused(message) => Answer::error(StatusCode::CONFLICT, message.clone()),
        error => Answer::store_failure(error),
    }
}
