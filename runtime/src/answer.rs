//! The JSON a scan answers with, shared by `POST /api/barcode/` and
//! `barcoded scan` so that both always say the same thing.

use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use crate::chain::{PluginFailure, ScanOutcome};
use crate::limits::Limit;
use crate::plugin::Decode;
use crate::store::records::{Barcode, Product};
use crate::store::{Actions, StoreError};

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

/// 200 for a decode, 422 when a plugin recognised but refused the data,
/// 404 when no plugin recognised it. A decode carries the catalog's barcode
/// and product records for its lookup code (null when there are none), and
/// the `actions` its plugin's calls to the server booked or were refused.
pub fn scan_answer(
    data: &str,
    outcome: &ScanOutcome,
    barcode: Option<&Barcode>,
    product: Option<&Product>,
    actions: &Actions,
) -> Answer {
    match outcome {
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

/// InvenTree's `barcode_hash`: the MD5 of the data, stripped of leading and
/// trailing whitespace (as Python's `str.strip` sees it, GS and RS
/// included), keeping only the ASCII printable characters (Python's
/// `string.printable`), so that a label hashes alike however the scanner
/// sent its separators.
pub fn barcode_hash(data: &str) -> String {
    let python_space = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    let printable: String = data
        .trim_matches(python_space)
        .chars()
        .filter(|&c| c.is_ascii_graphic() || " \t\n\r\x0b\x0c".contains(c))
        .collect();
    crate::code_cache::hex(&Md5::digest(printable.as_bytes()))
}

fn decode_json(decode: &Decode) -> Value {
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

#[cfg(test)]
mod tests {
    use super::barcode_hash;

    #[test]
    fn barcode_hashes_match_inventrees() {
        // hashlib.md5(b"4006381333931").hexdigest()
        assert_eq!(
            barcode_hash("4006381333931"),
            "c1a8a4073d832f6e5d43cea45034c777"
        );
        // GS separators and a trailing line end do not change the hash.
        assert_eq!(
            barcode_hash("]d2\x1d0109521234543213\x1d10ABC\r\n"),
            barcode_hash("]d2010952123454321310ABC")
        );
        // Non-ASCII characters are dropped, as `string.printable` drops them.
        assert_eq!(barcode_hash("café"), barcode_hash("caf"));
        // Stripped first, filtered after: the space after \\x01 stays.
        assert_eq!(
            barcode_hash(" \x01 abc"),
            "12cfaf7fd98f33be8038b3d56c18f061"
        );
    }
}
