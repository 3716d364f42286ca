//! Which handler answers which method and path.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response};
use serde_json::json;

use super::{admin, auth, body, history, lookup, qr, scan, stock};
use crate::answer::Answer;
use crate::service::Service;
use crate::store::Role;

/// Where the lookup is served; the second path is the one POS clients of the
/// reference implementation are configured with.
const LOOKUP_PREFIXES: [&str; 2] = [
    "/api/barcode/lookup/",
    "/index.php/apps/shillinq/api/barcode/lookup/",
];

pub async fn route(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, request_body) = request.into_parts();
    let path = parts.uri.path();
    if let Some(code) = LOOKUP_PREFIXES
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
    {
        if parts.method != Method::GET {
            return Ok(method_not_allowed("GET"));
        }
        return Ok(match auth::authorize(&service, &parts.headers, Role::Pos) {
            Ok(_) => lookup::handle(&service, code, parts.uri.query()),
            Err(refused) => body::json_response(&refused),
        });
    }
    if let Some(rest) = path.strip_prefix("/api/barcode/qr/") {
        if parts.method != Method::GET {
            return Ok(method_not_allowed("GET"));
        }
        return Ok(match auth::authorize(&service, &parts.headers, Role::Pos) {
            Ok(_) => qr::handle(&service, rest, parts.uri.query()),
            Err(refused) => body::json_response(&refused),
        });
    }
    if let Some(sku) = path.strip_prefix("/api/stock/") {
        if parts.method != Method::GET {
            return Ok(method_not_allowed("GET"));
        }
        let answer = match auth::authorize(&service, &parts.headers, Role::Pos) {
            Ok(_) => stock::handle(&service, sku),
            Err(refused) => refused,
        };
        return Ok(body::json_response(&answer));
    }
    let admin_path = path
        .strip_prefix("/api/admin/plugins")
        .filter(|rest| rest.is_empty() || rest.starts_with('/'));
    if let Some(rest) = admin_path {
        let answer = match auth::authorize(&service, &parts.headers, Role::Admin) {
            Ok(_) => {
                admin::handle(
                    service.clone(),
                    &parts.method,
                    rest,
                    parts.uri.query(),
                    request_body,
                )
                .await
            }
            Err(refused) => refused,
        };
        return Ok(body::json_response(&answer));
    }
    let answer = match (path, &parts.method) {
        ("/api/barcode/" | "/api/barcode", &Method::POST) => {
            match auth::authorize(&service, &parts.headers, Role::Pos) {
                Ok(key) => scan::handle(&service, request_body, key.name).await,
                Err(refused) => refused,
            }
        }
        ("/api/barcode/" | "/api/barcode", _) => return Ok(method_not_allowed("POST")),
        ("/api/barcode/history" | "/api/barcode/history/", &Method::GET) => {
            match auth::authorize(&service, &parts.headers, Role::Admin) {
                Ok(_) => history::handle(&service, parts.uri.query()),
                Err(refused) => refused,
            }
        }
        ("/api/barcode/history" | "/api/barcode/history/", _) => {
            return Ok(method_not_allowed("GET"));
        }
        ("/api/health", &Method::GET) => Answer {
            status: 200,
            body: json!({
                "status": "ok",
                "plugins": service.chain().plugins().len(),
                "refused": service.refused().len(),
                "quarantined": service.quarantined().len(),
            }),
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
