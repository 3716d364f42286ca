//! `GET /api/openapi.json`: the API's OpenAPI 3.1 document (`docs/openapi.json`).
//!
//! The document is written by hand, not generated: the handlers build their
//! answers from the domain's types and `json!`, which a generator such as
//! utoipa cannot see through without restating every answer as a type of
//! its own. Drift is caught instead by the end-to-end suite, which checks
//! every response it receives against this document.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

use super::body;

const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub fn handle() -> Response<Full<Bytes>> {
    body::response(StatusCode::OK, "application/json", DOCUMENT)
}
