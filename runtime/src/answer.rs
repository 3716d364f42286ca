//! The JSON a scan answers with, shared by `POST /api/barcode/` and
//! `barcoded scan` so that both always say the same thing.

use serde_json::{Map, Value, json};

use barcoded_app::Scanned;
use barcoded_domain::store::StoreError;
use barcoded_domain::{Barcode, barcode_hash};
use barcoded_sandbox::{Decode, Limit, PluginFailure, ScanOutcome};

/// Text of the no-match error, as InvenTree's scan API words it.
pub const NO_MATCH: &str = "No match found for barcode data";

/// An answer: an HTTP status and its JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// A `{"error": message}` answer.
    pub fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    /// What a client is told when the store failed: 503 when it is
    /// unavailable (a full or failing disk: retry later, and the response
    /// carries `Retry-After`), 500 otherwise. The detail goes to the log only.
    pub fn store_failure(error: &StoreError) -> Answer {
        match error {
            StoreError::Unavailable(detail) => {
                tracing::error!("store unavailable: {detail}");
                Answer::error(
                    503,
                    "The server's store is unavailable right now (its disk may be full or \
                     failing); retry shortly",
                )
            }
            error => Answer::internal(error),
        }
    }

    /// A 500 with fixed text. The detail goes to the log only: nothing
    /// internal ever reaches a client.
    pub fn internal(error: &dyn std::fmt::Display) -> Answer {
        tracing::error!("internal error: {error}");
        Answer::error(500, "Internal server error")
    }
}

/// 200 for a decode or a linked barcode, 422 when a plugin recognised but
/// refused the data, 404 when nothing recognised it. A decode carries the
/// catalog's barcode and product records for its lookup code (null when
/// there are none), and the `actions` its plugin's calls to the server
/// booked or were refused.
pub fn scan_answer(data: &str, scanned: &Scanned) -> Answer {
    let Scanned {
        outcome,
        matched,
        actions,
    } = scanned;
    let (barcode, product) = (matched.barcode.as_ref(), matched.product.as_ref());
    match outcome {
        ScanOutcome::NoMatch { failures } if matched.linked => Answer {
            status: 200,
            body: json!({
                "plugin": null,
                "linked": true,
                "barcode_data": data,
                "result": barcode.map(linked_result),
                "barcode_hash": barcode_hash(data),
                "barcode": barcode,
                "product": product,
                "actions": actions,
                "diagnostics": diagnostics(failures),
            }),
        },
        ScanOutcome::Decoded {
            plugin,
            decode,
            failures,
            ..
        } => Answer {
            status: 200,
            body: json!({
                "plugin": plugin,
                "barcode_data": data,
                "result": decode_json(decode),
                "barcode_hash": barcode_hash(data),
                "barcode": barcode,
                "product": product,
                "actions": actions,
                "diagnostics": diagnostics(failures),
            }),
        },
        ScanOutcome::Rejected {
            plugin,
            rejection,
            failures,
        } => Answer {
            status: 422,
            body: json!({
                "error": format!("Invalid {} barcode: {}", rejection.format, rejection.reason),
                "plugin": plugin,
                "format": rejection.format,
                "reason": rejection.reason,
                "barcode_data": data,
                "barcode_hash": barcode_hash(data),
                "diagnostics": diagnostics(failures),
            }),
        },
        ScanOutcome::NoMatch { failures } => Answer {
            status: 404,
            body: json!({
                "error": NO_MATCH,
                "barcode_data": data,
                "barcode_hash": barcode_hash(data),
                "diagnostics": diagnostics(failures),
            }),
        },
    }
}

/// A linked barcode's `result`, in a decode's shape: its value is the
/// lookup code, one each.
fn linked_result(link: &Barcode) -> Value {
    json!({
        "format": link.format,
        "lookup_code": link.barcode,
        "uom_code": link.uom_code,
        "quantity": link.quantity,
        "fields": {},
        "payload": null,
    })
}

pub fn decode_json(decode: &Decode) -> Value {
    let fields: Map<String, Value> = decode
        .fields
        .iter()
        .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
        .collect();
    json!({
        "format": decode.format,
        "lookup_code": decode.lookup_code,
        "uom_code": decode.uom_code,
        "quantity": decode.quantity,
        "fields": fields,
        "payload": decode.payload,
    })
}

fn diagnostics(failures: &[PluginFailure]) -> Vec<Value> {
    failures
        .iter()
        .map(
            |PluginFailure {
                 plugin, failure, ..
             }| {
                json!({
                    "plugin": plugin,
                    "error": format!("plugin {plugin} {failure}"),
                    "limit": failure.limit().map(Limit::name),
                })
            },
        )
        .collect()
}
