//! Which handler answers which method and path.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response};
use serde_json::json;

use super::{body, scan};
use crate::answer::Answer;
use crate::service::Service;

pub async fn route(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, request_body) = request.into_parts();
    let path = parts.uri.path();
    let answer = match (path, &parts.method) {
        ("/api/barcode/" | "/api/barcode", &Method::POST) => {
            scan::handle(service, request_body).await
        }
        ("/api/barcode/" | "/api/barcode", _) => return Ok(method_not_allowed("POST")),
        ("/api/health", &Method::GET) => Answer {
            status: 200,
            body: json!({ "status": "ok", "plugins": service.chain().plugins().len() }),
        },
        ("/api/health", _) => return Ok(method_not_allowed("GET")),
        _ => Answer::error(404, "Not found"),
    };
    Ok(body::json_response(&answer))
}

fn method_not_allowed(allow: &'static str) -> Response<Full<Bytes>> {
    let answer = Answer::error(405, format!("Method not allowed: use {allow}"));
    let mut response = body::json_response(&answer);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}
