//! The web console: static files compiled into the binary and served at
//! `/console/`, with `/` redirecting there. The page holds no secret and
//! needs no key to load; every action it takes is an API call that the
//! server authorizes like any other.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::body;
use crate::answer::Answer;

pub const PREFIX: &str = "/console/";

/// Scripts and styles only from the console's own files (none inline),
/// images from them or from blobs the page made (QR labels), requests to
/// this server only, and no framing, forms posting elsewhere or `<base>`.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' blob:; connect-src 'self'; \
    form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// (name under `/console/`, content type, contents).
const FILES: [(&str, &str, &str); 3] = [
    (
        "",
        "text/html; charset=utf-8",
        include_str!("../../console/index.html"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("../../console/console.js"),
    ),
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("../../console/console.css"),
    ),
];

/// The file at `name` (the path after `/console/`).
pub fn handle(name: &str) -> Response<Full<Bytes>> {
    let Some((_, content_type, contents)) = FILES.iter().find(|(file, _, _)| *file == name) else {
        return body::json_response(&Answer::error(StatusCode::NOT_FOUND, "Not found"));
    };
    let mut response = body::response(StatusCode::OK, content_type, *contents);
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `/` and `/console` send browsers to the console.
pub fn redirect() -> Response<Full<Bytes>> {
    let mut response = body::response(StatusCode::FOUND, "text/plain; charset=utf-8", "");
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(PREFIX));
    response
}
