//! Reading request bodies within bounds, and writing JSON responses.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use crate::answer::Answer;

/// How long a client may take to send its body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the whole body, refusing one over `max` bytes (413) or one that
/// arrives too slowly (400). The error is the answer to send instead.
pub async fn read_bounded(body: Incoming, max: usize) -> Result<Bytes, Answer> {
    let collect = Limited::new(body, max).collect();
    match tokio::time::timeout(BODY_TIMEOUT, collect).await {
        Err(_) => Err(Answer::error(
            StatusCode::BAD_REQUEST,
            "Request body took too long to arrive",
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(Answer::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body is larger than {max} bytes"),
        )),
        Ok(Err(_)) => Err(Answer::error(
            StatusCode::BAD_REQUEST,
            "Request body could not be read",
        )),
    }
}

/// How long a client is asked to wait before retrying a 503.
const RETRY_AFTER_SECONDS: &str = "5";

/// A JSON response. Every answer is `no-store`: a till must never act on a
/// cached decode or lookup. A 503 says when to retry.
pub fn json_response(answer: &Answer) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(&answer.body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = response(answer.status, "application/json", body);
    if answer.status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    response
}

/// A response of `content_type`, `no-store` like every answer.
pub fn response(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The body, of at most `max` bytes, as a `T` (see [`typed`]).
pub async fn read_typed<T: serde::de::DeserializeOwned>(
    body: Incoming,
    max: usize,
    example: &str,
) -> Result<T, Answer> {
    let bytes = read_bounded(body, max).await?;
    typed(&bytes, example)
}

/// The body `bytes` as a `T`: a 400 naming the field that is missing, of
/// the wrong type or unknown, in `{"error", "field"}`, when it is not one.
pub fn typed<T: serde::de::DeserializeOwned>(bytes: &[u8], example: &str) -> Result<T, Answer> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut reader) {
        Ok(value) => Ok(value),
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                let message = format!("Request body is not valid JSON: {inner}");
                return Err(Answer::error(StatusCode::BAD_REQUEST, message));
            }
            // The position means little in a form's body; the field says where.
            let position = format!(" at line {} column {}", inner.line(), inner.column());
            let text = inner.to_string();
            let text = text.strip_suffix(&position).unwrap_or(&text);
            if !path.starts_with(|c: char| c.is_alphanumeric() || c == '.') {
                let message = format!("Request body must be a JSON object like {example}");
                return Err(Answer::error(StatusCode::BAD_REQUEST, message));
            }
            let (field, message) = data_fault(&path, text, example);
            Err(Answer::field_error(
                StatusCode::BAD_REQUEST,
                field.as_deref(),
                message,
            ))
        }
    }
}

/// The field at fault and the message for serde's `text` about the value
/// at `path`: serde names a missing field in its text, at its parent's path.
fn data_fault(path: &str, text: &str, example: &str) -> (Option<String>, String) {
    let missing = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    match (path, missing) {
        (".", None) => (
            None,
            format!("Request body must be a JSON object like {example}: {text}"),
        ),
        (".", Some(name)) => (Some(name.to_owned()), text.to_owned()),
        (parent, Some(name)) => (Some(format!("{parent}.{name}")), text.to_owned()),
        (path, None) if text.starts_with(path) => (Some(path.to_owned()), text.to_owned()),
        (path, None) => (Some(path.to_owned()), format!("{path}: {text}")),
    }
}
