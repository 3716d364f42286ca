//! The JSON a scan answers with, shared by `POST /api/barcode/` and
//! `barcoded scan` so that both always say the same thing.

use hyper::StatusCode;
use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Value, json};

use barcoded_app::Scanned;
use barcoded_app::StoreError;
use barcoded_domain::{Actions, Barcode, Product, barcode_hash};
use barcoded_sandbox::{Decode, Limit, PluginFailure, ScanOutcome};

/// Text of the no-match error, as InvenTree's scan API words it.
pub const NO_MATCH: &str = "No match found for barcode data";

/// An answer: an HTTP status and its JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// A `{"error": message}` answer.
    pub fn error(status: StatusCode, message: impl Into<String>) -> Answer {
        Answer {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    /// A `{"error": message, "field": field}` answer: `field` names the
    /// request body's field at fault (`lines[0].sku`), when one is.
    pub fn field_error(
        status: StatusCode,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Answer {
        let mut answer = Answer::error(status, message);
        if let Some(field) = field {
            answer.body["field"] = Value::from(field);
        }
        answer
    }

    /// What a client is told when the store failed: 503 when it is
    /// unavailable (a full or failing disk: retry later, and the response
    /// carries `Retry-After`), 500 otherwise. The detail goes to the log only.
    pub fn store_failure(error: &StoreError) -> Answer {
        match error {
            StoreError::Unavailable { detail, .. } => {
                tracing::error!("store unavailable: {detail}");
                Answer::error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The server's store is unavailable right now (its disk may be full or \
                     failing, or its database out of reach); retry shortly",
                )
            }
            error => Answer::internal(error),
        }
    }

    /// A 500 with fixed text. The detail goes to the log only: nothing
    /// internal ever reaches a client.
    pub fn internal(error: &dyn std::fmt::Display) -> Answer {
        tracing::error!("internal error: {error}");
        Answer::error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }
}

/// 200 for a decode or a linked barcode, 422 when a plugin recognised but
/// refused the data, 404 when nothing recognised it. A decode carries the
/// catalog's barcode and product records for its lookup code (null when
/// there are none), and the `actions` its plugin's calls to the server
/// booked or were refused.
///
/// The body borrows from the scan and is serialised straight from it: the
/// hot path builds no JSON tree.
pub fn scan_answer<'a>(data: &'a str, scanned: &'a Scanned) -> (StatusCode, ScanBody<'a>) {
    let Scanned {
        outcome,
        matched,
        actions,
    } = scanned;
    let (barcode, product) = (matched.barcode.as_ref(), matched.product.as_ref());
    let barcode_hash = barcode_hash(data);
    match outcome {
        ScanOutcome::NoMatch { failures } if matched.linked => (
            StatusCode::OK,
            ScanBody::Linked {
                plugin: None,
                linked: true,
                barcode_data: data,
                result: barcode.map(LinkedResult),
                barcode_hash,
                barcode,
                product,
                actions,
                diagnostics: Diagnostics(failures),
            },
        ),
        ScanOutcome::Decoded {
            plugin,
            decode,
            failures,
            ..
        } => (
            StatusCode::OK,
            ScanBody::Decoded {
                plugin,
                barcode_data: data,
                result: DecodeResult(decode),
                barcode_hash,
                barcode,
                product,
                actions,
                diagnostics: Diagnostics(failures),
                inventree: InvenTreeKeys(decode.payload.as_ref()),
            },
        ),
        ScanOutcome::Rejected {
            plugin,
            rejection,
            failures,
        } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ScanBody::Rejected {
                error: format!("Invalid {} barcode: {}", rejection.format, rejection.reason),
                plugin,
                format: &rejection.format,
                reason: &rejection.reason,
                barcode_data: data,
                barcode_hash,
                diagnostics: Diagnostics(failures),
            },
        ),
        ScanOutcome::NoMatch { failures } => (
            StatusCode::NOT_FOUND,
            ScanBody::NoMatch {
                error: NO_MATCH,
                barcode_data: data,
                barcode_hash,
                diagnostics: Diagnostics(failures),
            },
        ),
    }
}

/// The body of a scan's answer, one shape per outcome (fields in the order
/// they are written).
#[derive(Serialize)]
#[serde(untagged)]
pub enum ScanBody<'a> {
    Linked {
        plugin: Option<&'a str>,
        linked: bool,
        barcode_data: &'a str,
        result: Option<LinkedResult<'a>>,
        barcode_hash: String,
        barcode: Option<&'a Barcode>,
        product: Option<&'a Product>,
        actions: &'a Actions,
        diagnostics: Diagnostics<'a>,
    },
    Decoded {
        plugin: &'a str,
        barcode_data: &'a str,
        result: DecodeResult<'a>,
        barcode_hash: String,
        barcode: Option<&'a Barcode>,
        product: Option<&'a Product>,
        actions: &'a Actions,
        diagnostics: Diagnostics<'a>,
        #[serde(flatten)]
        inventree: InvenTreeKeys<'a>,
    },
    Rejected {
        error: String,
        plugin: &'a str,
        format: &'a str,
        reason: &'a str,
        barcode_data: &'a str,
        barcode_hash: String,
        diagnostics: Diagnostics<'a>,
    },
    NoMatch {
        error: &'static str,
        barcode_data: &'a str,
        barcode_hash: String,
        diagnostics: Diagnostics<'a>,
    },
}

/// InvenTree's barcode models, as its answers and requests name them.
pub const INVENTREE_MODELS: [&str; 9] = [
    "part",
    "stockitem",
    "stocklocation",
    "supplierpart",
    "manufacturerpart",
    "purchaseorder",
    "salesorder",
    "returnorder",
    "build",
];

/// What InvenTree's clients read at the top of a scan's answer beside the
/// models: the supplier, and the plugin's message.
const INVENTREE_EXTRAS: [&str; 2] = ["company", "success"];

/// InvenTree's models and extras that a decode's payload has (as an
/// InvenTree plugin's answer does), written beside the answer's own keys.
pub struct InvenTreeKeys<'a>(Option<&'a Value>);

impl Serialize for InvenTreeKeys<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let object = self.0.and_then(Value::as_object);
        let keys = INVENTREE_MODELS.iter().chain(&INVENTREE_EXTRAS);
        serializer.collect_map(keys.filter_map(|key| {
            object
                .and_then(|object| object.get(*key))
                .map(|value| (key, value))
        }))
    }
}

/// A linked barcode's `result`, in a decode's shape: its value is the
/// lookup code, one each.
pub struct LinkedResult<'a>(&'a Barcode);

impl Serialize for LinkedResult<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let link = self.0;
        let result = ResultShape {
            format: &link.format,
            lookup_code: Some(&link.barcode),
            uom_code: Some(&link.uom_code),
            quantity: Some(link.quantity),
            fields: Fields(&[]),
            field_order: FieldOrder(&[]),
            payload: None,
        };
        result.serialize(serializer)
    }
}

/// A decode as the scan API writes its `result`.
pub struct DecodeResult<'a>(pub &'a Decode);

impl Serialize for DecodeResult<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let decode = self.0;
        let result = ResultShape {
            format: &decode.format,
            lookup_code: decode.lookup_code.as_deref(),
            uom_code: decode.uom_code.as_deref(),
            quantity: decode.quantity,
            fields: Fields(&decode.fields),
            field_order: FieldOrder(&decode.fields),
            payload: decode.payload.as_ref(),
        };
        result.serialize(serializer)
    }
}

/// The scan API's `result` object, whatever produced it.
#[derive(Serialize)]
struct ResultShape<'a> {
    format: &'a str,
    lookup_code: Option<&'a str>,
    uom_code: Option<&'a str>,
    quantity: Option<u32>,
    fields: Fields<'a>,
    field_order: FieldOrder<'a>,
    payload: Option<&'a Value>,
}

/// A decode's fields as a JSON object, in the plugin's order.
struct Fields<'a>(&'a [(String, String)]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (key, value)))
    }
}

/// The keys of a decode's fields in the plugin's order, each once: many
/// JSON readers lose an object's order (JavaScript lists keys such as `10`
/// and `17` first), so the answer carries it beside the object.
struct FieldOrder<'a>(&'a [(String, String)]);

impl Serialize for FieldOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seen = std::collections::HashSet::new();
        serializer.collect_seq(
            self.0
                .iter()
                .map(|(key, _)| key)
                .filter(|key| seen.insert(key.as_str())),
        )
    }
}

/// The plugins that failed during a scan, each with what went wrong.
pub struct Diagnostics<'a>(pub &'a [PluginFailure]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(
            |PluginFailure {
                 plugin, failure, ..
             }| {
                json!({
                    "plugin": plugin,
                    "error": format!("plugin {plugin} {failure}"),
                    "limit": failure.limit().map(Limit::name),
                })
            },
        ))
    }
}
