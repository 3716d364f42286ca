//! Stock and orders changed by an `admin` key: the operations of `barcoded
//! stock adjust`, `stock move`, `order create` and `order receive`, over
//! HTTP.
//!
//! | Method and path | Does |
//! |---|---|
//! | `POST /api/stock` | `{"sku", "location", "delta", "reason"}` adjusts a level; `{"sku", "from", "to", "quantity", "reason"}` moves units, both levels or neither |
//! | `POST /api/orders` | create a purchase order; 201 with it |
//! | `POST /api/orders/{number}/receipts` | `{"sku", "quantity", "location"?}` receives units of a line by hand |
//!
//! Each change is logged as the key's, in the audit trail, and as an
//! operator's movement. A refusal answers `{"error", "field"}` as the
//! catalog's writes do.

use std::time::SystemTime;

use hyper::StatusCode;
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body;
use super::query::percent_decode;
use super::records::{Fields, refused, store_refusal};
use crate::answer::Answer;
use barcoded_app::{Service, StoreError, Transfer};
use barcoded_domain::{Actions, Admin, OrderLine, PurchaseOrder, Receipt, StockChange};

/// Largest body: an order of a thousand lines fits.
const MAX_BODY_BYTES: usize = 128 << 10;

const STOCK_EXAMPLE: &str =
    r#"{"sku": "SCREW-M4", "location": "SHELF-A1", "delta": -5, "reason": "damaged"}"#;
const ORDER_EXAMPLE: &str =
    r#"{"number": "PO-1001", "location": "DOCK", "lines": [{"sku": "SCREW-M4", "ordered": 500}]}"#;
const RECEIPT_EXAMPLE: &str = r#"{"sku": "SCREW-M4", "quantity": 100}"#;

const ADJUST_FIELDS: Fields = &[
    ("location", "location"),
    ("reason", "reason"),
    ("a stock change is", "delta"),
    ("there is no product with SKU", "sku"),
    ("the level of SKU", "delta"),
];
const MOVE_FIELDS: Fields = &[
    ("reason", "reason"),
    ("a stock change is", "quantity"),
    ("a move goes", "to"),
    ("there is no product with SKU", "sku"),
    ("the level of SKU", "quantity"),
];
const ORDER_FIELDS: Fields = &[
    ("order number", "number"),
    ("purchase order", "number"),
    ("location", "location"),
    ("supplier reference", "supplierReference"),
    ("a purchase order has", "lines"),
    ("line", "lines"),
    ("SKU", "lines"),
    ("there is no product with SKU", "lines"),
];
const RECEIPT_FIELDS: Fields = &[
    ("location", "location"),
    ("a receipt is", "quantity"),
    ("receiving", "quantity"),
    ("purchase order", "sku"),
];

/// Where an order's goods go when it names no location, as on the CLI.
const DEFAULT_LOCATION: &str = "RECEIVING";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Adjustment {
    sku: String,
    location: String,
    delta: i64,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    sku: String,
    from: String,
    to: String,
    quantity: u32,
    reason: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewOrder {
    number: String,
    location: Option<String>,
    supplier: Option<String>,
    supplier_reference: Option<String>,
    lines: Vec<NewLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLine {
    sku: String,
    ordered: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HandReceipt {
    sku: String,
    quantity: u32,
    location: Option<String>,
}

/// `POST /api/stock`: an adjustment, or a move when the body has `from`
/// or `to`. Answers the movements booked.
pub async fn book_stock(service: &Service, by: &Admin, request: Incoming) -> Answer {
    let bytes = match body::read_bounded(request, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(answer) => return answer,
    };
    let is_move = serde_json::from_slice::<Value>(&bytes)
        .is_ok_and(|value| value.get("from").is_some() || value.get("to").is_some());
    let parsed = if is_move {
        body::typed(&bytes, STOCK_EXAMPLE).map(Booked::Move)
    } else {
        body::typed(&bytes, STOCK_EXAMPLE).map(Booked::Adjustment)
    };
    match parsed {
        Ok(Booked::Move(body)) => book_move(service, by, body).await,
        Ok(Booked::Adjustment(body)) => book_adjustment(service, by, body).await,
        Err(answer) => answer,
    }
}

/// The two shapes of a stock change by hand.
enum Booked {
    Adjustment(Adjustment),
    Move(Move),
}

async fn book_adjustment(service: &Service, by: &Admin, body: Adjustment) -> Answer {
    let change = StockChange {
        sku: body.sku,
        location: body.location,
        delta: body.delta,
        reason: body.reason,
    };
    if let Err(invalid) = change.validate() {
        return refused(invalid.0, ADJUST_FIELDS, StatusCode::BAD_REQUEST);
    }
    answer(
        service.office().adjust_stock(by, change).await,
        ADJUST_FIELDS,
    )
}

async fn book_move(service: &Service, by: &Admin, body: Move) -> Answer {
    // Each leg checked as the store will, so that the answer can name its field.
    for (location, field) in [(&body.from, "from"), (&body.to, "to")] {
        let leg = StockChange {
            sku: body.sku.clone(),
            location: location.clone(),
            delta: i64::from(body.quantity),
            reason: body.reason.clone(),
        };
        if let Err(invalid) = leg.validate() {
            let answer = refused(invalid.0, MOVE_FIELDS, StatusCode::BAD_REQUEST);
            return at_location(answer, field);
        }
    }
    let transfer = Transfer {
        sku: body.sku,
        from: body.from,
        to: body.to,
        quantity: body.quantity,
        reason: body.reason,
    };
    answer(service.office().move_stock(by, transfer).await, MOVE_FIELDS)
}

/// A move's refusal of a location, at the field (`from` or `to`) it names.
fn at_location(mut answer: Answer, field: &str) -> Answer {
    if answer.body.get("field").is_none() {
        answer.body["field"] = Value::from(field);
    }
    answer
}

/// `POST /api/orders`: 201 with the order as stored.
pub async fn create_order(service: &Service, by: &Admin, request: Incoming) -> Answer {
    let body: NewOrder = match body::read_typed(request, MAX_BODY_BYTES, ORDER_EXAMPLE).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let order = PurchaseOrder {
        number: body.number,
        supplier: body.supplier.filter(|supplier| !supplier.trim().is_empty()),
        supplier_reference: body
            .supplier_reference
            .filter(|reference| !reference.trim().is_empty()),
        location: body.location.unwrap_or_else(|| DEFAULT_LOCATION.to_owned()),
        created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        lines: body
            .lines
            .into_iter()
            .map(|line| OrderLine::new(line.sku, line.ordered))
            .collect(),
    };
    if let Err(invalid) = order.validate() {
        return refused(invalid.0, ORDER_FIELDS, StatusCode::BAD_REQUEST);
    }
    match service.office().add_order(by, order.clone()).await {
        Ok(()) => Answer {
            status: StatusCode::CREATED,
            body: json!(order),
        },
        Err(error) => store_refusal(error, ORDER_FIELDS),
    }
}

/// `POST /api/orders/{number}/receipts`: answers the line as received and
/// the movement that booked the goods in.
pub async fn receive(service: &Service, by: &Admin, raw_number: &str, request: Incoming) -> Answer {
    let no_order = || Answer::error(StatusCode::NOT_FOUND, "No purchase order with this number");
    let Some(number) = percent_decode(raw_number).filter(|number| !number.is_empty()) else {
        return no_order();
    };
    let body: HandReceipt = match body::read_typed(request, MAX_BODY_BYTES, RECEIPT_EXAMPLE).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    match service.office().order(&number).await {
        Ok(Some(_)) => {}
        Ok(None) => return no_order(),
        Err(error) => return Answer::store_failure(&error),
    }
    let receipt = Receipt {
        order: number,
        sku: body.sku,
        quantity: body.quantity,
        location: body.location.filter(|location| !location.trim().is_empty()),
        label: None,
    };
    answer(
        service.office().receive_by_hand(by, receipt).await,
        RECEIPT_FIELDS,
    )
}

/// What was booked, as `{"movements", "receipts"}`.
fn answer(booked: Result<Actions, StoreError>, fields: Fields) -> Answer {
    match booked {
        Ok(actions) => Answer {
            status: StatusCode::OK,
            body: json!({ "movements": actions.movements, "receipts": actions.receipts }),
        },
        Err(error) => store_refusal(error, fields),
    }
}
