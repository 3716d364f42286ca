//! Catalog records written by an `admin` key: the operations of `barcoded
//! catalog product`, `add-barcode`, `update-barcode`, `deactivate` and
//! `reactivate`, over HTTP.
//!
//! | Method and path | Does |
//! |---|---|
//! | `PUT /api/catalog/products/{sku}` | create the product, or replace the one with that SKU |
//! | `POST /api/catalog/barcodes` | add a barcode record; 201 with it and its new id |
//! | `PUT /api/catalog/barcodes/{id}` | replace a record's fields |
//! | `POST /api/catalog/barcodes/{id}/deactivate` | lookups stop finding it |
//! | `POST /api/catalog/barcodes/{id}/reactivate` | lookups find it again |
//!
//! A refusal answers `{"error", "field"}`, `field` naming the body's field
//! at fault, so that a form can show the message beside it.

use hyper::StatusCode;
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::body;
use super::query::percent_decode;
use crate::answer::Answer;
use barcoded_app::{Service, StoreError};
use barcoded_domain::{Admin, Barcode, Price, Product, SupplierPart};

/// Largest body of a record: a product with all its supplier parts fits.
const MAX_BODY_BYTES: usize = 16 << 10;

const PRODUCT_EXAMPLE: &str =
    r#"{"name": "Dog food 2 kg", "category": "Pet food", "unitPrice": 12.99, "currency": "EUR"}"#;
const BARCODE_EXAMPLE: &str = r#"{"barcode": "4006381333931", "barcodeType": "EAN", "productSku": "DOG-2KG", "uomCode": "EA"}"#;

/// How the catalog's rules begin their messages, and the field each is about.
const PRODUCT_FIELDS: Fields = &[
    ("sku", "sku"),
    ("name", "name"),
    ("category", "category"),
    ("unitPrice", "unitPrice"),
    ("currency", "currency"),
    ("supplierParts", "supplierParts"),
    ("supplier", "supplierParts"),
    ("part", "supplierParts"),
    ("a product may carry", "supplierParts"),
];
const BARCODE_FIELDS: Fields = &[
    ("barcode", "barcode"),
    ("barcodeType", "barcodeType"),
    ("format", "format"),
    ("productSku", "productSku"),
    ("uomCode", "uomCode"),
    ("quantity", "quantity"),
];

/// `(how a message begins, the body field it is about)`.
pub(super) type Fields = &'static [(&'static str, &'static str)];

/// A product as a request sends it; the SKU is the path's.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProductBody {
    /// Allowed so that a product read can be sent back; must be the path's.
    sku: Option<String>,
    name: String,
    category: String,
    unit_price: Price,
    currency: String,
    #[serde(default)]
    supplier_parts: Vec<SupplierPart>,
}

/// A barcode record as a request sends it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BarcodeBody {
    /// A new record's id [default: a new one]; an edit's must be the path's.
    id: Option<Uuid>,
    barcode: String,
    barcode_type: String,
    /// [default: the barcode type]
    format: Option<String>,
    product_sku: String,
    uom_code: String,
    #[serde(default = "one")]
    quantity: u32,
    #[serde(default)]
    is_default: bool,
    /// [default: true for a new record, unchanged for an edit]
    is_active: Option<bool>,
}

fn one() -> u32 {
    1
}

impl BarcodeBody {
    fn into_barcode(self, id: Uuid, active: bool) -> Barcode {
        Barcode {
            id,
            format: self.format.unwrap_or_else(|| self.barcode_type.clone()),
            barcode: self.barcode,
            barcode_type: self.barcode_type,
            product_sku: self.product_sku,
            uom_code: self.uom_code,
            quantity: self.quantity,
            is_default: self.is_default,
            is_active: self.is_active.unwrap_or(active),
        }
    }
}

/// `PUT /api/catalog/products/{sku}`.
pub async fn put_product(
    service: &Service,
    by: &Admin,
    raw_sku: &str,
    request: Incoming,
) -> Answer {
    let Some(sku) = percent_decode(raw_sku).filter(|sku| !sku.is_empty()) else {
        return Answer::error(StatusCode::NOT_FOUND, "Name the product's SKU in the path");
    };
    let body: ProductBody = match body::read_typed(request, MAX_BODY_BYTES, PRODUCT_EXAMPLE).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    if body.sku.as_ref().is_some_and(|sent| *sent != sku) {
        return Answer::field_error(
            StatusCode::BAD_REQUEST,
            Some("sku"),
            format!("sku is {sku:?}, as the path says; a product's SKU cannot be changed"),
        );
    }
    let product = Product {
        sku,
        name: body.name,
        category: body.category,
        unit_price: body.unit_price,
        currency: body.currency,
        supplier_parts: body.supplier_parts,
    };
    if let Err(invalid) = product.validate() {
        return refused(invalid.0, PRODUCT_FIELDS, StatusCode::BAD_REQUEST);
    }
    match service.office().put_product(by, product.clone()).await {
        Ok(()) => Answer {
            status: StatusCode::OK,
            body: json!(product),
        },
        Err(error) => store_refusal(error, PRODUCT_FIELDS),
    }
}

/// `POST /api/catalog/barcodes`: 201 with the record as written.
pub async fn add_barcode(service: &Service, by: &Admin, request: Incoming) -> Answer {
    let body: BarcodeBody = match body::read_typed(request, MAX_BODY_BYTES, BARCODE_EXAMPLE).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let barcode = body.into_barcode(id, true);
    if let Err(invalid) = barcode.validate() {
        return refused(invalid.0, BARCODE_FIELDS, StatusCode::BAD_REQUEST);
    }
    match service.office().add_barcode(by, barcode.clone()).await {
        Ok(()) => Answer {
            status: StatusCode::CREATED,
            body: json!(barcode),
        },
        Err(error) => store_refusal(error, BARCODE_FIELDS),
    }
}

/// `PUT /api/catalog/barcodes/{id}`: every field is replaced; `isActive`
/// is kept when the body leaves it out.
pub async fn edit_barcode(
    service: &Service,
    by: &Admin,
    raw_id: &str,
    request: Incoming,
) -> Answer {
    let Some(id) = record_id(raw_id) else {
        return no_record();
    };
    let body: BarcodeBody = match body::read_typed(request, MAX_BODY_BYTES, BARCODE_EXAMPLE).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    if body.id.is_some_and(|sent| sent != id) {
        return Answer::field_error(
            StatusCode::BAD_REQUEST,
            Some("id"),
            format!("id is {id}, as the path says; a record's id cannot be changed"),
        );
    }
    // Checked whole before the store is asked, so that the answer can name the field.
    let sent_active = body.is_active;
    let checked = body.into_barcode(id, true);
    if let Err(invalid) = checked.validate() {
        return refused(invalid.0, BARCODE_FIELDS, StatusCode::BAD_REQUEST);
    }
    let edit = move |barcode: &mut Barcode| {
        let is_active = sent_active.unwrap_or(barcode.is_active);
        *barcode = Barcode {
            is_active,
            ..checked
        };
    };
    match service.office().edit_barcode(by, id, edit).await {
        Ok(Some(barcode)) => Answer {
            status: StatusCode::OK,
            body: json!(barcode),
        },
        Ok(None) => no_record(),
        Err(error) => store_refusal(error, BARCODE_FIELDS),
    }
}

/// `POST /api/catalog/barcodes/{id}/deactivate` and `/reactivate`.
pub async fn set_active(service: &Service, by: &Admin, raw_id: &str, active: bool) -> Answer {
    let Some(id) = record_id(raw_id) else {
        return no_record();
    };
    match service.office().set_barcode_active(by, id, active).await {
        Ok(barcode) => Answer {
            status: StatusCode::OK,
            body: json!(barcode),
        },
        Err(StoreError::NotFound(_)) => no_record(),
        Err(error) => store_refusal(error, BARCODE_FIELDS),
    }
}

fn record_id(raw: &str) -> Option<Uuid> {
    percent_decode(raw)?.parse().ok()
}

fn no_record() -> Answer {
    Answer::error(StatusCode::NOT_FOUND, "No barcode record with this id")
}

/// The store's refusal of a write: 409, the records as they stand forbid it
/// (a pack key or order number taken, an unknown SKU, more received than
/// ordered); failures as [`Answer::store_failure`].
pub(super) fn store_refusal(error: StoreError, fields: Fields) -> Answer {
    match error {
        StoreError::Refused(message) => refused(message, fields, StatusCode::CONFLICT),
        StoreError::NotFound(message) => Answer::error(StatusCode::NOT_FOUND, message),
        error => Answer::store_failure(&error),
    }
}

/// A refusal, with the field its message begins with, as the domain's
/// rules word theirs (`currency must be ...`).
pub(super) fn refused(message: String, fields: Fields, status: StatusCode) -> Answer {
    let field = fields.iter().find_map(|(opening, field)| {
        let rest = message.strip_prefix(opening)?;
        rest.starts_with([' ', ':']).then_some(*field)
    });
    Answer::field_error(status, field, message)
}
