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
