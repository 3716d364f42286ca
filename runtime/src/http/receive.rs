//! `POST /api/barcode/po-receive/`: receive a supplier's label against a
//! purchase order, with InvenTree's request fields and answers.
//!
//! InvenTree's `purchase_order`, `location` and `line_item` are primary
//! keys; here they are the order's number, the location's name and the
//! line's SKU, sent as strings (or, where those are numeric, as numbers).

use hyper::StatusCode;
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use tracing::Instrument;

use super::link::{read_object, whole};
use super::scan::{MAX_BARCODE_CHARS, barcode_field};
use crate::answer::{Answer, Diagnostics};
use barcoded_app::{ReceiveError, Received, Service};
use barcoded_domain::{ALREADY_RECEIVED, Actions, barcode_hash};
use barcoded_sandbox::{LineItem, ReceiptOutcome, ReceiptRequest, ReceiptStatus};

/// What a receipt request looks like.
const EXAMPLE: &str = r#"{"barcode": "...", "purchase_order": "PO-1001", "location": "DOCK"}"#;

/// InvenTree's answer when no plugin knew the label.
const NO_MATCH: &str = "No match for supplier barcode";

/// Longest order number, location or SKU a request may name, in bytes.
const MAX_NAME_BYTES: usize = 64;

/// Receives the request's label for the API key named `key`.
pub async fn handle(service: &Service, body: Incoming, key: String) -> Answer {
    let request = match read_object(body, EXAMPLE).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let (data, receipt) = match parse(&request) {
        Ok(parsed) => parsed,
        Err(answer) => return answer,
    };
    let span = tracing::info_span!("po-receive", scan_id = %uuid::Uuid::now_v7(), key = %key);
    match service
        .receive(&data, &receipt, Some(&key))
        .instrument(span)
        .await
    {
        Ok(received) => answer(&data, &received),
        Err(ReceiveError::NoSuchOrder(order)) => Answer {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "error": format!("There is no purchase order {order:?}"),
                "purchase_order": [format!("There is no purchase order {order:?}")],
            }),
        },
        Err(ReceiveError::Unprintable) => Answer::error(
            StatusCode::BAD_REQUEST,
            ReceiveError::Unprintable.to_string(),
        ),
        Err(ReceiveError::Store(error)) => Answer::store_failure(&error),
    }
}

/// The label and InvenTree's optional fields; fields it does not know are
/// left alone, as InvenTree's serializer leaves them.
fn parse(request: &Map<String, Value>) -> Result<(String, ReceiptRequest), Answer> {
    let data = barcode_field(request, MAX_BARCODE_CHARS)
        .map_err(|e| Answer::error(StatusCode::BAD_REQUEST, e))?;
    let auto_allocate = match request.get("auto_allocate") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(allocate)) => *allocate,
        Some(_) => return Err(field_error("auto_allocate", "must be true or false")),
    };
    let receipt = ReceiptRequest {
        order: name(request, "purchase_order")?,
        line: name(request, "line_item")?,
        location: name(request, "location")?,
        auto_allocate,
    };
    if receipt.line.is_some() && receipt.order.is_none() {
        return Err(field_error(
            "line_item",
            "names a line of the order in `purchase_order`: send both",
        ));
    }
    Ok((data, receipt))
}

/// An optional name: a string, or a whole number as InvenTree's clients
/// send a primary key.
fn name(request: &Map<String, Value>, field: &str) -> Result<Option<String>, Answer> {
    let text = match request.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Number(number)) if let Some(pk) = whole(number) => pk.to_string(),
        Some(_) => return Err(field_error(field, "must be a string (or a whole number)")),
    };
    if text.is_empty() || text.len() > MAX_NAME_BYTES || text.chars().any(char::is_control) {
        return Err(field_error(
            field,
            &format!("must be 1 to {MAX_NAME_BYTES} bytes of printable text"),
        ));
    }
    Ok(Some(text))
}

/// A 400 naming the field, in InvenTree's shape (`{field: [message]}`)
/// beside this API's `error`.
fn field_error(field: &str, message: &str) -> Answer {
    Answer {
        status: StatusCode::BAD_REQUEST,
        body: json!({ "error": format!("`{field}` {message}"), field: [message] }),
    }
}

/// InvenTree's answer: 200 with `success` or `action_required`, 400 with
/// `error`; every answer names the label, its hash and the plugin.
fn answer(data: &str, received: &Received) -> Answer {
    let mut body = json!({
        "barcode_data": data,
        "barcode_hash": barcode_hash(data),
        "plugin": null,
    });
    let (outcome, product, actions) = match received {
        Received::Before { order, sku } => {
            body["error"] = json!(ALREADY_RECEIVED);
            body["received"] = json!({ "purchase_order": order, "sku": sku });
            return Answer {
                status: StatusCode::BAD_REQUEST,
                body,
            };
        }
        Received::Answered(answer) => (&answer.outcome, &answer.product, &answer.actions),
    };
    body["diagnostics"] = json!(Diagnostics(outcome.failures()));
    let ReceiptOutcome::Answered {
        plugin, receipt, ..
    } = outcome
    else {
        body["error"] = json!(NO_MATCH);
        return Answer {
            status: StatusCode::BAD_REQUEST,
            body,
        };
    };
    body["plugin"] = json!(plugin);
    if let Some(line) = &receipt.line {
        body["lineitem"] = lineitem(line);
    }
    body["product"] = json!(product);
    body["fields"] = Value::Object(
        receipt
            .fields
            .iter()
            .map(|(key, value)| (key.clone(), json!(value)))
            .collect(),
    );
    body["actions"] = json!(actions);
    let status = match receipt.status {
        ReceiptStatus::Received => match booking_refusal(actions) {
            // Refused as it was written: a receipt of the same label or
            // line by another client got there first.
            Some(reason) => {
                body["error"] = json!(reason);
                StatusCode::BAD_REQUEST
            }
            None => {
                body["success"] = json!(receipt.message);
                StatusCode::OK
            }
        },
        ReceiptStatus::ActionRequired => {
            body["action_required"] = json!(receipt.message);
            StatusCode::OK
        }
        ReceiptStatus::Refused => {
            body["error"] = json!(receipt.message);
            StatusCode::BAD_REQUEST
        }
    };
    Answer { status, body }
}

/// Why a receipt's booking was refused as it was written, if it was: it
/// booked no receipt, and a call was refused.
fn booking_refusal(actions: &Actions) -> Option<&str> {
    if !actions.receipts.is_empty() {
        return None;
    }
    Some(
        actions
            .refused
            .last()
            .map_or("Failed to receive line item", |refused| {
                refused.reason.as_str()
            }),
    )
}

/// The line as InvenTree's `lineitem` reads: its `pk` is the line's SKU,
/// `purchase_order` the order's number.
fn lineitem(line: &LineItem) -> Value {
    json!({
        "pk": line.sku,
        "sku": line.sku,
        "quantity": line.quantity,
        "supplier_part": line.supplier_part,
        "purchase_order": line.order,
        "location": line.location,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn reads_inventrees_fields_as_names() {
        let (data, request) = parse(&object(json!({
            "barcode": " [)>\u{1e}06\u{1d}P1\n",
            "purchase_order": 17,
            "location": "DOCK-2",
            "line_item": null,
            "auto_allocate": false,
            "something_else": [1],
        })))
        .unwrap();
        assert_eq!(data, "[)>\u{1e}06\u{1d}P1");
        assert_eq!(
            request,
            ReceiptRequest {
                order: Some("17".into()),
                line: None,
                location: Some("DOCK-2".into()),
                auto_allocate: false,
            }
        );
        let (_, defaults) = parse(&object(json!({"barcode": "x"}))).unwrap();
        assert!(defaults.auto_allocate && defaults.order.is_none());
    }

    #[test]
    fn refuses_fields_of_the_wrong_kind_naming_them() {
        for (field, bad) in [
            ("purchase_order", json!(true)),
            ("location", json!("")),
            ("location", json!("x".repeat(65))),
            ("line_item", json!(-3)),
            ("line_item", json!("a\u{1d}b")),
            ("auto_allocate", json!("yes")),
            ("line_item", json!("SKU-1")),
        ] {
            let mut request = object(json!({"barcode": "x"}));
            request.insert(field.into(), bad.clone());
            let refused = parse(&request).unwrap_err();
            assert_eq!(refused.status, StatusCode::BAD_REQUEST);
            assert!(
                refused.body[field].is_array(),
                "{field} {bad}: {}",
                refused.body
            );
        }
        assert_eq!(
            parse(&object(json!({"purchase_order": "x"})))
                .unwrap_err()
                .status,
            400
        );
    }
}
