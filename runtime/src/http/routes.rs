//! The route table: every path the API serves, its methods, the role each
//! needs and its handler, declared once. Dispatch, `405` with `Allow`,
//! `HEAD`, the route names metrics count by, and the check against
//! `docs/openapi.json` all read it.

use hyper::StatusCode;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response};
use serde_json::json;

use super::{
    admin, audit, auth, body, booking, catalog, console, history, inventree, keys, label, link,
    lookup, metrics, openapi, qr, receive, records, scan, stock,
};
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_domain::{Admin, ApiKey, Role};

/// One request, as a handler gets it.
pub struct Call {
    pub service: Arc<Service>,
    /// The request's key, on a route that needs one.
    pub key: Option<ApiKey>,
    /// The path's parameter as sent (still percent-encoded); empty when
    /// the route has none.
    pub param: String,
    pub query: Option<String>,
    pub body: Incoming,
}

impl Call {
    /// Who makes the change this request asks for: its key.
    fn admin(&self) -> Admin {
        Admin::key(&key_name(&self.key))
    }
}

/// The name of a request's key; empty on a route without one.
fn key_name(key: &Option<ApiKey>) -> String {
    key.as_ref().map(|key| key.name.clone()).unwrap_or_default()
}

type Reply = Pin<Box<dyn Future<Output = Response<Full<Bytes>>> + Send>>;
type Handler = fn(Call) -> Reply;

/// A handler from an expression over the call, answering an [`Answer`] or
/// a response.
macro_rules! handler {
    (|$call:ident| $answer:expr) => {{
        fn handle($call: Call) -> Reply {
            Box::pin(async move { Response::from($answer) })
        }
        handle as Handler
    }};
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone: the API's description, liveness, the console's files.
    Open,
    /// A key with this role (or one that includes it).
    Key(Role),
    /// Linking: `admin`, unless the operator lets `pos` keys link too.
    Linking,
}

/// The methods routes answer (hyper's `Method` cannot live in a static).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    fn of(method: &Method) -> Option<Verb> {
        Some(match *method {
            // HEAD is answered as GET; hyper sends the headers without the body.
            Method::GET | Method::HEAD => Verb::Get,
            Method::POST => Verb::Post,
            Method::PUT => Verb::Put,
            Method::DELETE => Verb::Delete,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
        }
    }
}

/// A method of a route.
struct Operation {
    method: Verb,
    access: Access,
    handler: Handler,
}

/// A path the API serves.
struct Route {
    /// The path as `docs/openapi.json` writes it, a parameter in braces;
    /// also the route's name in the metrics.
    path: &'static str,
    /// Other paths answered the same (a trailing slash, or none).
    aliases: &'static [&'static str],
    /// The parameter takes the rest of the path, slashes and all, as the
    /// lookup of the reference API does, and may be empty (the handler
    /// answers for a missing code, as "Barcode not found"); otherwise one
    /// non-empty segment.
    rest: bool,
    operations: &'static [Operation],
}

const fn get(access: Access, handler: Handler) -> Operation {
    Operation {
        method: Verb::Get,
        access,
        handler,
    }
}

const fn post(access: Access, handler: Handler) -> Operation {
    Operation {
        method: Verb::Post,
        access,
        handler,
    }
}

const fn put(access: Access, handler: Handler) -> Operation {
    Operation {
        method: Verb::Put,
        access,
        handler,
    }
}

const fn delete(access: Access, handler: Handler) -> Operation {
    Operation {
        method: Verb::Delete,
        access,
        handler,
    }
}

const POS: Access = Access::Key(Role::Pos);
const ADMIN: Access = Access::Key(Role::Admin);

/// A route whose parameter, if any, is one path segment.
const fn at(
    path: &'static str,
    aliases: &'static [&'static str],
    operations: &'static [Operation],
) -> Route {
    Route {
        path,
        aliases,
        rest: false,
        operations,
    }
}

/// A route whose parameter takes the rest of the path.
const fn under(path: &'static str, operations: &'static [Operation]) -> Route {
    Route {
        path,
        aliases: &[],
        rest: true,
        operations,
    }
}

/// Every route, in the order a path is tried against them.
static ROUTES: &[Route] = &[
    at(
        "/api/barcode/",
        &["/api/barcode"],
        &[post(
            POS,
            handler!(|call| scan::handle(&call.service, call.body, key_name(&call.key)).await),
        )],
    ),
    under(
        "/api/barcode/lookup/{code}",
        &[get(
            POS,
            handler!(
                |call| lookup::handle(&call.service, &call.param, call.query.as_deref()).await
            ),
        )],
    ),
    under(
        "/index.php/apps/shillinq/api/barcode/lookup/{code}",
        &[get(
            POS,
            handler!(
                |call| lookup::handle(&call.service, &call.param, call.query.as_deref()).await
            ),
        )],
    ),
    under(
        "/api/barcode/qr/product/{sku}",
        &[get(
            POS,
            handler!(|call| qr::product(&call.service, &call.param).await),
        )],
    ),
    under(
        "/api/barcode/qr/{code}",
        &[get(
            POS,
            handler!(|call| qr::barcode(&call.service, &call.param, call.query.as_deref()).await),
        )],
    ),
    under(
        "/api/barcode/label/{code}",
        &[get(
            POS,
            handler!(
                |call| label::barcode(&call.service, &call.param, call.query.as_deref()).await
            ),
        )],
    ),
    at(
        "/api/barcode/history",
        &["/api/barcode/history/"],
        &[get(
            ADMIN,
            handler!(|call| history::handle(&call.service, call.query.as_deref()).await),
        )],
    ),
    under(
        "/api/stock/{sku}",
        &[get(
            POS,
            handler!(|call| stock::handle(&call.service, &call.param).await),
        )],
    ),
    at(
        "/api/barcode/link/",
        &["/api/barcode/link"],
        &[post(
            Access::Linking,
            handler!(|call| link::link(&call.service, &call.admin(), call.body).await),
        )],
    ),
    at(
        "/api/barcode/unlink/",
        &["/api/barcode/unlink"],
        &[post(
            Access::Linking,
            handler!(|call| link::unlink(&call.service, &call.admin(), call.body).await),
        )],
    ),
    at(
        "/api/barcode/po-receive/",
        &["/api/barcode/po-receive"],
        &[post(
            POS,
            handler!(|call| receive::handle(&call.service, call.body, key_name(&call.key)).await),
        )],
    ),
    at(
        "/api/admin/links",
        &["/api/admin/links/"],
        &[get(ADMIN, handler!(|call| link::list(&call.service).await))],
    ),
    under(
        "/api/admin/links/{sku}",
        &[delete(
            ADMIN,
            handler!(|call| link::remove(&call.service, &call.admin(), &call.param).await),
        )],
    ),
    at(
        "/api/admin/audit",
        &["/api/admin/audit/"],
        &[get(
            ADMIN,
            handler!(|call| audit::handle(&call.service, call.query.as_deref()).await),
        )],
    ),
    at(
        "/api/admin/keys",
        &["/api/admin/keys/"],
        &[
            get(ADMIN, handler!(|call| keys::list(&call.service).await)),
            post(
                ADMIN,
                handler!(|call| keys::create(&call.service, &call.admin(), call.body).await),
            ),
        ],
    ),
    under(
        "/api/admin/keys/{name}",
        &[delete(
            ADMIN,
            handler!(|call| keys::revoke(&call.service, &call.admin(), &call.param).await),
        )],
    ),
    at(
        "/api/admin/plugins",
        &["/api/admin/plugins/"],
        &[
            get(ADMIN, handler!(|call| admin::list(&call.service).await)),
            post(
                ADMIN,
                handler!(|call| admin::install(
                    &call.service,
                    &call.admin(),
                    call.query.as_deref(),
                    call.body
                )
                .await),
            ),
        ],
    ),
    at(
        "/api/admin/plugins/{name}",
        &[],
        &[
            get(
                ADMIN,
                handler!(|call| admin::get(&call.service, &call.param).await),
            ),
            delete(
                ADMIN,
                handler!(|call| admin::remove(&call.service, &call.admin(), &call.param).await),
            ),
        ],
    ),
    at(
        "/api/admin/plugins/{name}/enable",
        &[],
        &[post(
            ADMIN,
            handler!(|call| admin::enable(&call.service, &call.admin(), &call.param).await),
        )],
    ),
    at(
        "/api/admin/plugins/{name}/disable",
        &[],
        &[post(
            ADMIN,
            handler!(|call| admin::disable(&call.service, &call.admin(), &call.param).await),
        )],
    ),
    at(
        "/api/admin/plugins/{name}/priority",
        &[],
        &[put(
            ADMIN,
            handler!(
                |call| admin::priority(&call.service, &call.admin(), &call.param, call.body).await
            ),
        )],
    ),
    at(
        "/api/admin/plugins/{name}/config",
        &[],
        &[put(
            ADMIN,
            handler!(
                |call| admin::config(&call.service, &call.admin(), &call.param, call.body).await
            ),
        )],
    ),
    at(
        "/api/admin/plugins/{name}/limits",
        &[],
        &[put(
            ADMIN,
            handler!(
                |call| admin::limits(&call.service, &call.admin(), &call.param, call.body).await
            ),
        )],
    ),
    at(
        "/api/admin/plugins/{name}/grants",
        &[],
        &[put(
            ADMIN,
            handler!(
                |call| admin::grants(&call.service, &call.admin(), &call.param, call.body).await
            ),
        )],
    ),
    at(
        "/api/health",
        &["/api/health/ready"],
        &[get(
            Access::Open,
            handler!(|call| health(&call.service).await),
        )],
    ),
    at(
        "/api/health/live",
        &[],
        &[get(
            Access::Open,
            handler!(|_call| Answer {
                status: StatusCode::OK,
                body: json!({ "status": "alive" })
            }),
        )],
    ),
    at(
        "/api/",
        &["/api"],
        &[get(
            Access::Open,
            handler!(|_call| inventree::server_details()),
        )],
    ),
    at(
        "/api/user/me/",
        &["/api/user/me"],
        &[get(
            POS,
            handler!(|call| match &call.key {
                Some(key) => inventree::user(key),
                None => auth::unauthorized(),
            }),
        )],
    ),
    at(
        "/api/openapi.json",
        &[],
        &[get(Access::Open, handler!(|_call| openapi::handle()))],
    ),
    at(
        metrics::PATH,
        &[],
        &[get(
            ADMIN,
            handler!(|call| metrics::handle(&call.service).await),
        )],
    ),
    at(
        catalog::PATH,
        &[],
        &[get(
            POS,
            handler!(|call| catalog::handle(&call.service, call.query.as_deref()).await),
        )],
    ),
    under(
        "/api/catalog/products/{sku}",
        &[put(
            ADMIN,
            handler!(|call| records::put_product(
                &call.service,
                &call.admin(),
                &call.param,
                call.body
            )
            .await),
        )],
    ),
    at(
        "/api/catalog/barcodes",
        &["/api/catalog/barcodes/"],
        &[post(
            ADMIN,
            handler!(|call| records::add_barcode(&call.service, &call.admin(), call.body).await),
        )],
    ),
    at(
        "/api/catalog/barcodes/{id}",
        &[],
        &[put(
            ADMIN,
            handler!(|call| records::edit_barcode(
                &call.service,
                &call.admin(),
                &call.param,
                call.body
            )
            .await),
        )],
    ),
    at(
        "/api/catalog/barcodes/{id}/deactivate",
        &[],
        &[post(
            ADMIN,
            handler!(
                |call| records::set_active(&call.service, &call.admin(), &call.param, false).await
            ),
        )],
    ),
    at(
        "/api/catalog/barcodes/{id}/reactivate",
        &[],
        &[post(
            ADMIN,
            handler!(
                |call| records::set_active(&call.service, &call.admin(), &call.param, true).await
            ),
        )],
    ),
    at(
        "/api/stock",
        &[],
        &[
            get(
                ADMIN,
                handler!(|call| stock::overview(&call.service, call.query.as_deref()).await),
            ),
            post(
                ADMIN,
                handler!(|call| booking::book_stock(&call.service, &call.admin(), call.body).await),
            ),
        ],
    ),
    at(
        "/api/orders",
        &["/api/orders/"],
        &[
            get(ADMIN, handler!(|call| stock::orders(&call.service).await)),
            post(
                ADMIN,
                handler!(
                    |call| booking::create_order(&call.service, &call.admin(), call.body).await
                ),
            ),
        ],
    ),
    at(
        "/api/orders/{number}/receipts",
        &[],
        &[post(
            ADMIN,
            handler!(
                |call| booking::receive(&call.service, &call.admin(), &call.param, call.body).await
            ),
        )],
    ),
    at(
        "/console/",
        &[],
        &[get(Access::Open, handler!(|_call| console::handle("")))],
    ),
    at(
        "/console/{file}",
        &[],
        &[get(
            Access::Open,
            handler!(|call| console::handle(&call.param)),
        )],
    ),
    at(
        "/",
        &["/console"],
        &[get(Access::Open, handler!(|_call| console::redirect()))],
    ),
];

impl Route {
    /// The parameter `path` gives this route, if it is one of its paths:
    /// empty for a route without one.
    fn matches<'p>(&self, path: &'p str) -> Option<&'p str> {
        if self.path == path || self.aliases.contains(&path) {
            return Some("");
        }
        let (prefix, after) = self.path.split_once('{')?;
        let (_, suffix) = after.split_once('}')?;
        let param = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
        let fits = if self.rest {
            suffix.is_empty()
        } else {
            !param.is_empty() && !param.contains('/')
        };
        fits.then_some(param)
    }

    /// The methods it answers, as an `Allow` header lists them.
    fn allow(&self) -> String {
        let mut methods: Vec<&str> = Vec::new();
        for operation in self.operations {
            methods.push(operation.method.as_str());
            if operation.method == Verb::Get {
                methods.push("HEAD");
            }
        }
        methods.join(", ")
    }
}

/// Answers a request, and counts it by route and status.
pub async fn route(
    service: Arc<Service>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, request_body) = request.into_parts();
    let path = parts.uri.path();
    let Some((route, param)) = ROUTES
        .iter()
        .find_map(|route| Some((route, route.matches(path)?)))
    else {
        service.metrics().answered("unmatched", 404);
        return Ok(body::json_response(&Answer::error(
            StatusCode::NOT_FOUND,
            "Not found",
        )));
    };
    let method = Verb::of(&parts.method);
    let response = match route.operations.iter().find(|op| Some(op.method) == method) {
        None => method_not_allowed(&route.allow()),
        Some(operation) => match authorize(&service, &parts.headers, operation.access).await {
            Ok(key) => {
                let call = Call {
                    service: service.clone(),
                    key,
                    param: param.to_owned(),
                    query: parts.uri.query().map(str::to_owned),
                    body: request_body,
                };
                (operation.handler)(call).await
            }
            Err(refused) => body::json_response(&refused),
        },
    };
    service
        .metrics()
        .answered(route.path, response.status().as_u16());
    Ok(response)
}

/// The key an operation with `access` needs, checked; `None` on an open one.
async fn authorize(
    service: &Service,
    headers: &hyper::HeaderMap,
    access: Access,
) -> Result<Option<ApiKey>, Answer> {
    let role = match access {
        Access::Open => return Ok(None),
        Access::Key(role) => role,
        Access::Linking if service.policy().pos_may_link => Role::Pos,
        Access::Linking => Role::Admin,
    };
    auth::authorize(service, headers, role).await.map(Some)
}

/// Whether the service can do its work (503 when its store cannot be read
/// or written), and what it runs.
async fn health(service: &Service) -> Answer {
    let health = service.health().await;
    let ready = health.ready();
    Answer {
        status: if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        body: json!({
            "status": if ready { "ok" } else { "unavailable" },
            "store": health.store.name(),
            "plugins": health.plugins,
            "refused": health.refused,
            "quarantined": health.quarantined,
        }),
    }
}

fn method_not_allowed(allow: &str) -> Response<Full<Bytes>> {
    let answer = Answer::error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method not allowed: use {allow}"),
    );
    let mut response = body::json_response(&answer);
    if let Ok(allow) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(ALLOW, allow);
    }
    response
}

impl From<Answer> for Response<Full<Bytes>> {
    fn from(answer: Answer) -> Self {
        body::json_response(&answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(path: &str) -> Option<(&'static str, &str)> {
        ROUTES
            .iter()
            .find_map(|route| Some((route.path, route.matches(path)?)))
    }

    #[test]
    fn paths_find_their_routes_and_parameters() {
        assert_eq!(find("/api/barcode"), Some(("/api/barcode/", "")));
        assert_eq!(
            find("/api/barcode/lookup/A%2FB/C"),
            Some(("/api/barcode/lookup/{code}", "A%2FB/C"))
        );
        assert_eq!(
            find("/api/barcode/qr/product/SKU-1"),
            Some(("/api/barcode/qr/product/{sku}", "SKU-1"))
        );
        assert_eq!(
            find("/api/admin/plugins/gtin/enable"),
            Some(("/api/admin/plugins/{name}/enable", "gtin"))
        );
        assert_eq!(
            find("/api/admin/plugins/gtin"),
            Some(("/api/admin/plugins/{name}", "gtin"))
        );
        assert_eq!(find("/console"), Some(("/", "")));
        // An empty code is the lookup's to answer ("Barcode not found").
        assert_eq!(
            find("/api/barcode/lookup/"),
            Some(("/api/barcode/lookup/{code}", ""))
        );
        for unserved in [
            "/api/admin/plugins/gtin/unknown",
            "/api/admin/plugins//enable",
            "/api/admin/keys/",
            "/api/nothing",
            "/console/a/b",
        ] {
            let found = find(unserved);
            assert!(
                found.is_none() || found.is_some_and(|(_, param)| param.is_empty()),
                "{unserved}: {found:?}"
            );
        }
        assert_eq!(find("/api/admin/plugins/gtin/unknown"), None);
    }

    #[test]
    fn allow_lists_head_beside_get() {
        let keys = ROUTES.iter().find(|r| r.path == "/api/admin/keys").unwrap();
        assert_eq!(keys.allow(), "GET, HEAD, POST");
    }

    /// Every route and method is in the API document, and every path and
    /// method the document describes is routed.
    #[test]
    fn the_table_is_the_api_document() {
        let document: serde_json::Value =
            serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
        let paths = document["paths"].as_object().unwrap();
        let mut routed = std::collections::BTreeSet::new();
        for route in ROUTES {
            let described = &paths[route.path];
            for operation in route.operations {
                let method = operation.method.as_str().to_lowercase();
                assert!(
                    described.get(&method).is_some(),
                    "{} {} is not in docs/openapi.json",
                    operation.method.as_str(),
                    route.path
                );
            }
            let methods = described.as_object().unwrap().keys();
            let documented =
                methods.filter(|m| !["parameters", "summary", "description"].contains(&m.as_str()));
            assert_eq!(
                documented.count(),
                route.operations.len(),
                "docs/openapi.json describes methods of {} that are not routed",
                route.path
            );
            routed.insert(route.path);
            for alias in route.aliases {
                assert!(
                    paths.contains_key(*alias),
                    "{alias} is not in docs/openapi.json"
                );
                routed.insert(alias);
            }
        }
        for path in paths.keys() {
            assert!(
                routed.contains(path.as_str()),
                "{path} is documented but not routed"
            );
        }
    }
}
