//! `POST /api/barcode/`: hand a scanned barcode to the plugin chain.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Response, StatusCode};
use serde_json::{Map, Value};
use tracing::Instrument;

use super::body;
use crate::answer::{self, Answer};
use barcoded_app::Service;

/// Longest barcode accepted, in characters (InvenTree's limit).
pub const MAX_BARCODE_CHARS: usize = 4095;

/// Largest request body: room for the longest barcode even when every
/// character is sent as a six-byte JSON escape.
pub(super) const MAX_BODY_BYTES: usize = 32 << 10;

/// Scans the request's barcode for the API key named `key`.
pub async fn handle(service: &Service, body: Incoming, key: String) -> Response<Full<Bytes>> {
    let data = match read_barcode(body).await {
        Ok(data) => data,
        Err(answer) => return body::json_response(&answer),
    };
    // Every line logged during the scan carries its id and the key's name.
    let span = tracing::info_span!("scan", scan_id = %uuid::Uuid::now_v7(), key = %key);
    match service.scan(&data, Some(&key)).instrument(span).await {
        Ok(scanned) => {
            let (status, answer) = answer::scan_answer(&data, &scanned);
            match serde_json::to_vec(&answer) {
                Ok(json) => body::response(status, "application/json", json),
                Err(error) => body::json_response(&Answer::internal(&error)),
            }
        }
        Err(error) => body::json_response(&Answer::store_failure(&error)),
    }
}

async fn read_barcode(body: Incoming) -> Result<String, Answer> {
    let bytes = body::read_bounded(body, MAX_BODY_BYTES).await?;
    let request: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Answer::error(
            StatusCode::BAD_REQUEST,
            format!("Request body is not valid JSON: {e}"),
        )
    })?;
    barcode_data(&request).map_err(|message| Answer::error(StatusCode::BAD_REQUEST, message))
}

/// Takes `barcode_data`, or `barcode` as InvenTree clients send it. Only the
/// spaces, tabs and line ends a keyboard-wedge scanner adds are trimmed:
/// control characters such as GS (0x1D) are part of the barcode.
fn barcode_data(request: &Value) -> Result<String, String> {
    let Some(object) = request.as_object() else {
        return Err(r#"Request body must be a JSON object like {"barcode_data": "..."}"#.into());
    };
    barcode_field(object, MAX_BARCODE_CHARS)
}

/// The barcode of a request object, from either field name, at most
/// `max_chars` characters as sent.
pub(super) fn barcode_field(
    object: &Map<String, Value>,
    max_chars: usize,
) -> Result<String, String> {
    if object.contains_key("barcode_data") && object.contains_key("barcode") {
        return Err("Send the barcode as `barcode_data` or as `barcode`, not both".into());
    }
    let (field, value) = ["barcode_data", "barcode"]
        .into_iter()
        .find_map(|field| object.get(field).map(|value| (field, value)))
        .ok_or_else(|| r#"Missing barcode data: send {"barcode_data": "..."}"#.to_owned())?;
    let Some(text) = value.as_str() else {
        return Err(format!("`{field}` must be a string"));
    };
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(format!(
            "`{field}` is {chars} characters long, over the limit of {max_chars}"
        ));
    }
    let data = text.trim_matches([' ', '\t', '\r', '\n']);
    if data.is_empty() {
        return Err(format!("`{field}` is empty"));
    }
    Ok(data.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn takes_either_field_name_and_keeps_control_characters() {
        assert_eq!(
            barcode_data(&json!({"barcode_data": "123"})),
            Ok("123".into())
        );
        assert_eq!(barcode_data(&json!({"barcode": "123"})), Ok("123".into()));
        assert_eq!(
            barcode_data(&json!({"barcode": " ]d2\u{1d}01\r\n"})),
            Ok("]d2\u{1d}01".into())
        );
    }

    #[test]
    fn refuses_what_is_not_a_barcode() {
        for bad in [
            json!([1]),
            json!({}),
            json!({"barcode": 5}),
            json!({"barcode": " \n"}),
        ] {
            assert!(barcode_data(&bad).is_err(), "{bad}");
        }
        let long = "9".repeat(MAX_BARCODE_CHARS + 1);
        assert!(barcode_data(&json!({ "barcode": long })).is_err());
        let longest = "9".repeat(MAX_BARCODE_CHARS);
        assert!(barcode_data(&json!({ "barcode": longest })).is_ok());
    }
}
