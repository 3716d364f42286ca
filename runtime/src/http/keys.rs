//! `/api/admin/keys`: the key operations of `barcoded key`, over HTTP, for
//! an `admin` key.
//!
//! | Method and path | Does |
//! |---|---|
//! | `GET /api/admin/keys` | list keys: name, role, created (never a secret) |
//! | `POST /api/admin/keys` | body `{"name": "till-1", "role": "pos"}`: create; the answer holds the key, once |
//! | `DELETE /api/admin/keys/{name}` | revoke |

use barcoded_app::{KeyError, Service, StoreError};
use barcoded_domain::{Admin, Role};
use hyper::StatusCode;
use hyper::body::Incoming;
use serde_json::json;

use super::body;
use super::query::percent_decode;
use crate::answer::Answer;

/// Largest body of a key request.
const MAX_BODY_BYTES: usize = 4 << 10;

/// A key to create.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
    role: Role,
}

/// `GET /api/admin/keys`.
pub async fn list(service: &Service) -> Answer {
    match service.office().keys().await {
        Ok(keys) => Answer {
            status: StatusCode::OK,
            body: json!({ "keys": keys }),
        },
        Err(error) => Answer::store_failure(&error),
    }
}

/// `POST /api/admin/keys`: 201 with the new key, which is shown only here.
pub async fn create(service: &Service, by: &Admin, request_body: Incoming) -> Answer {
    let bytes = match body::read_bounded(request_body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(answer) => return answer,
    };
    let request = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(value) if value.is_object() => serde_json::from_value::<NewKey>(value),
        Ok(_) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                r#"Send {"name": "till-1", "role": "pos"}"#,
            );
        }
        Err(error) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                format!("Request body is not valid JSON: {error}"),
            );
        }
    };
    let new = match request {
        Ok(new) => new,
        Err(error) => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                format!("Request body is not valid: {error}"),
            );
        }
    };
    match service.office().create_key(by, &new.name, new.role).await {
        Ok(key) => Answer {
            status: StatusCode::CREATED,
            body: json!({ "name": new.name, "role": new.role, "key": key }),
        },
        Err(KeyError::InvalidName(message)) => Answer::error(StatusCode::BAD_REQUEST, message),
        Err(KeyError::Store(StoreError::Refused(message))) => {
            Answer::error(StatusCode::CONFLICT, message)
        }
        Err(KeyError::Store(error)) => Answer::store_failure(&error),
    }
}

/// `DELETE /api/admin/keys/{name}`: requests with it fail from the next on.
pub async fn revoke(service: &Service, by: &Admin, raw_name: &str) -> Answer {
    let Some(name) = percent_decode(raw_name).filter(|name| !name.is_empty()) else {
        return Answer::error(StatusCode::NOT_FOUND, "No key with this name");
    };
    match service.office().revoke_key(by, &name).await {
        Ok(()) => Answer {
            status: StatusCode::OK,
            body: json!({ "revoked": name }),
        },
        Err(StoreError::NotFound(message)) => Answer::error(StatusCode::NOT_FOUND, message),
        Err(error) => Answer::store_failure(&error),
    }
}
