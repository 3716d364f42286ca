//! `GET /metrics`: the server's metrics in the OpenMetrics text format that
//! Prometheus scrapes, for an `admin` key on the API's address, or without
//! one on the address of `serve --metrics-listen`.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

use super::body;
use crate::answer::Answer;
use barcoded_app::Service;

pub const PATH: &str = "/metrics";

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn handle(service: &Service) -> Response<Full<Bytes>> {
    body::response(StatusCode::OK, CONTENT_TYPE, service.encode_metrics().await)
}

/// The whole of the metrics address: `GET /metrics`, nothing else.
pub async fn route(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    Ok(match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, PATH) => handle(&service).await,
        _ => body::json_response(&Answer::error(
            StatusCode::NOT_FOUND,
            "Not found: only GET /metrics is served here",
        )),
    })
}
