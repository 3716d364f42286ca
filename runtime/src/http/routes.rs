//! Which handler answers which method and path.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response};
use serde_json::json;

use super::{
    admin, auth, body, catalog, console, history, inventree, keys, link, lookup, metrics, openapi,
    qr, receive, scan, stock,
};
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::Role;
use barcoded_domain::store::StoreState;

/// Where the lookup is served; the second path is the one POS clients of the
/// reference implementation are configured with.
const LOOKUP_PREFIXES: [&str; 2] = [
    "/api/barcode/lookup/",
    "/index.php/apps/shillinq/api/barcode/lookup/",
];

const QR_PREFIX: &str = "/api/barcode/qr/";
const STOCK_PREFIX: &str = "/api/stock/";
const LINKS_PREFIX: &str = "/api/admin/links/";
const KEYS_PREFIX: &str = "/api/admin/keys/";

/// The methods `path` answers to, as its `Allow` header lists them; `None`
/// for a path no route serves.
fn allowed(path: &str) -> Option<&'static str> {
    const READ: &str = "GET, HEAD";
    if LOOKUP_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || path.starts_with(QR_PREFIX)
        || path.starts_with(STOCK_PREFIX)
        || path.starts_with(console::PREFIX)
    {
        return Some(READ);
    }
    if let Some(rest) = admin_rest(path) {
        return admin::allowed(rest);
    }
    if [LINKS_PREFIX, KEYS_PREFIX].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    }) {
        return Some("DELETE");
    }
    match path {
        "/api/barcode/" | "/api/barcode" => Some("POST"),
        "/api/barcode/link/" | "/api/barcode/link" => Some("POST"),
        "/api/barcode/unlink/" | "/api/barcode/unlink" => Some("POST"),
        "/api/barcode/po-receive/" | "/api/barcode/po-receive" => Some("POST"),
        "/api/admin/links" | "/api/admin/links/" => Some(READ),
        "/api/admin/keys" | "/api/admin/keys/" => Some("GET, HEAD, POST"),
        "/api/barcode/history" | "/api/barcode/history/" => Some(READ),
        "/api/health" | "/api/health/live" | "/api/health/ready" => Some(READ),
        "/api/openapi.json" => Some(READ),
        metrics::PATH | catalog::PATH | "/api/stock" | "/api/orders" | "/api/orders/" => Some(READ),
        "/" | "/console" => Some(READ),
        "/api" | "/api/" | "/api/user/me" | "/api/user/me/" => Some(READ),
        _ => None,
    }
}

/// What follows `/api/admin/plugins` in an admin path.
fn admin_rest(path: &str) -> Option<&str> {
    path.strip_prefix("/api/admin/plugins")
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answers a request, and counts it by route and status.
pub async fn route(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let route = route_name(request.uri().path());
    let response = dispatch(service.clone(), request).await?;
    service
        .metrics()
        .answered(route, response.status().as_u16());
    Ok(response)
}

/// The route `path` belongs to, as metrics label it: a path with its
/// parameters named, so that what clients send cannot grow the label set.
fn route_name(path: &str) -> &'static str {
    let prefixed: [(&str, &'static str); 6] = [
        (LOOKUP_PREFIXES[0], "/api/barcode/lookup/{code}"),
        (
            LOOKUP_PREFIXES[1],
            "/index.php/apps/shillinq/api/barcode/lookup/{code}",
        ),
        (QR_PREFIX, "/api/barcode/qr/{value}"),
        (STOCK_PREFIX, "/api/stock/{sku}"),
        (LINKS_PREFIX, "/api/admin/links/{sku}"),
        (KEYS_PREFIX, "/api/admin/keys/{name}"),
    ];
    if let Some((_, name)) = prefixed.iter().find(|(prefix, _)| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
    }) {
        return name;
    }
    if path.starts_with(console::PREFIX) {
        return console::PREFIX;
    }
    match admin_rest(path) {
        Some("" | "/") => return "/api/admin/plugins",
        Some(_) => return "/api/admin/plugins/{name}",
        None => {}
    }
    match path.trim_end_matches('/') {
        "/api/barcode" => "/api/barcode/",
        "/api/barcode/link" => "/api/barcode/link/",
        "/api/barcode/unlink" => "/api/barcode/unlink/",
        "/api/barcode/po-receive" => "/api/barcode/po-receive/",
        "/api/barcode/history" => "/api/barcode/history",
        "/api/admin/links" => "/api/admin/links",
        "/api/admin/keys" => "/api/admin/keys",
        "/api/health" => "/api/health",
        "/api/health/live" => "/api/health/live",
        "/api/health/ready" => "/api/health/ready",
        "/api/openapi.json" => "/api/openapi.json",
        catalog::PATH => catalog::PATH,
        "/api/stock" => "/api/stock",
        "/api/orders" => "/api/orders",
        "" | "/console" => "/",
        "/api" => "/api/",
        "/api/user/me" => "/api/user/me/",
        metrics::PATH => metrics::PATH,
        _ => "unmatched",
    }
}

async fn dispatch(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, request_body) = request.into_parts();
    let path = parts.uri.path();
    let Some(allow) = allowed(path) else {
        return Ok(body::json_response(&Answer::error(404, "Not found")));
    };
    // HEAD is answered as GET; hyper sends the headers without the body.
    let method = match parts.method {
        Method::HEAD => Method::GET,
        ref method => method.clone(),
    };
    if !allow.split(", ").any(|allowed| allowed == method.as_str()) {
        return Ok(method_not_allowed(allow));
    }
    if path == "/api/openapi.json" {
        return Ok(openapi::handle());
    }
    if let Some(file) = path.strip_prefix(console::PREFIX) {
        return Ok(console::handle(file));
    }
    if path == "/" || path == "/console" {
        return Ok(console::redirect());
    }
    let query = parts.uri.query();
    let authorize = |role| auth::authorize(&service, &parts.headers, role);
    if path == metrics::PATH {
        return Ok(match authorize(Role::Admin) {
            Ok(_) => metrics::handle(&service),
            Err(refused) => body::json_response(&refused),
        });
    }
    if let Some(code) = LOOKUP_PREFIXES
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
    {
        return Ok(match authorize(Role::Pos) {
            Ok(_) => lookup::handle(&service, code, query),
            Err(refused) => body::json_response(&refused),
        });
    }
    if path == "/api/barcode/" || path == "/api/barcode" {
        return Ok(match authorize(Role::Pos) {
            Ok(key) => scan::handle(&service, request_body, key.name).await,
            Err(refused) => body::json_response(&refused),
        });
    }
    if let Some(rest) = path.strip_prefix(QR_PREFIX) {
        return Ok(match authorize(Role::Pos) {
            Ok(_) => qr::handle(&service, rest, query),
            Err(refused) => body::json_response(&refused),
        });
    }
    let answer = if path == "/api/stock" {
        authorize(Role::Admin).map(|_| stock::overview(&service, query))
    } else if let Some(sku) = path.strip_prefix(STOCK_PREFIX) {
        authorize(Role::Pos).map(|_| stock::handle(&service, sku))
    } else if let Some(sku) = path
        .strip_prefix(LINKS_PREFIX)
        .filter(|sku| !sku.is_empty())
    {
        authorize(Role::Admin).map(|_| link::remove(&service, sku))
    } else if let Some(name) = path
        .strip_prefix(KEYS_PREFIX)
        .filter(|name| !name.is_empty())
    {
        authorize(Role::Admin).map(|_| keys::revoke(&service, name))
    } else if let Some(rest) = admin_rest(path) {
        match authorize(Role::Admin) {
            Ok(_) => Ok(admin::handle(service.clone(), &method, rest, query, request_body).await),
            Err(refused) => Err(refused),
        }
    } else {
        match path {
            "/api/barcode/link/" | "/api/barcode/link" => match authorize(link_role(&service)) {
                Ok(_) => Ok(link::link(&service, request_body).await),
                Err(refused) => Err(refused),
            },
            "/api/barcode/unlink/" | "/api/barcode/unlink" => {
                match authorize(link_role(&service)) {
                    Ok(_) => Ok(link::unlink(&service, request_body).await),
                    Err(refused) => Err(refused),
                }
            }
            "/api/barcode/po-receive/" | "/api/barcode/po-receive" => match authorize(Role::Pos) {
                Ok(key) => Ok(receive::handle(&service, request_body, key.name).await),
                Err(refused) => Err(refused),
            },
            catalog::PATH => authorize(Role::Pos).map(|_| catalog::handle(&service, query)),
            "/api/orders" | "/api/orders/" => {
                authorize(Role::Admin).map(|_| stock::orders(&service))
            }
            "/api/admin/links" | "/api/admin/links/" => {
                authorize(Role::Admin).map(|_| link::list(&service))
            }
            "/api/admin/keys" | "/api/admin/keys/" => match authorize(Role::Admin) {
                Ok(_) if method == Method::POST => Ok(keys::create(&service, request_body).await),
                Ok(_) => Ok(keys::list(&service)),
                Err(refused) => Err(refused),
            },
            "/api" | "/api/" => Ok(inventree::server_details()),
            "/api/user/me" | "/api/user/me/" => {
                authorize(Role::Pos).map(|key| inventree::user(&key))
            }
            "/api/health/live" => Ok(Answer {
                status: 200,
                body: json!({ "status": "alive" }),
            }),
            "/api/health" | "/api/health/ready" => {
                // After a failed write, readiness tries a write, which may wait
                // for another process's: keep it off the async workers.
                let service = service.clone();
                Ok(tokio::task::spawn_blocking(move || health(&service))
                    .await
                    .unwrap_or_else(|error| Answer::internal(&error)))
            }
            _ => authorize(Role::Admin).map(|_| history::handle(&service, query)),
        }
    };
    Ok(body::json_response(
        &answer.unwrap_or_else(|refused| refused),
    ))
}

/// The role linking and unlinking barcodes needs: `admin`, unless the
/// operator lets `pos` keys link too.
fn link_role(service: &Service) -> Role {
    if service.policy().pos_may_link {
        Role::Pos
    } else {
        Role::Admin
    }
}

/// Whether the service can do its work (503 when its store cannot be read
/// or written), and what it runs.
fn health(service: &Service) -> Answer {
    let store = service.store().state();
    let ready = store == StoreState::Ok;
    Answer {
        status: if ready { 200 } else { 503 },
        body: json!({
            "status": if ready { "ok" } else { "unavailable" },
            "store": store.name(),
            "plugins": service.chain().plugins().len(),
            "refused": service.refused().len(),
            "quarantined": service.quarantined().len(),
        }),
    }
}

fn method_not_allowed(allow: &'static str) -> Response<Full<Bytes>> {
    let answer = Answer::error(405, format!("Method not allowed: use {allow}"));
    let mut response = body::json_response(&answer);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}
