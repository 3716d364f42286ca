//! `/api/admin/plugins`: the plugin operations of `barcoded plugin`, over
//! HTTP, for an `admin` key.
//!
//! | Method and path | Does |
//! |---|---|
//! | `GET /api/admin/plugins` | installed plugins in scan order, with counts and quarantine; plugins refused at load |
//! | `POST /api/admin/plugins?name=&priority=&disabled=&upgrade=` | install the component in the body |
//! | `GET /api/admin/plugins/{name}` | one plugin |
//! | `POST /api/admin/plugins/{name}/enable`, `/disable` | enable (and lift quarantine), disable |
//! | `PUT /api/admin/plugins/{name}/priority` | body `{"priority": 10}` |
//! | `PUT /api/admin/plugins/{name}/config` | body: every setting, `{"key": "value"}` |
//! | `PUT /api/admin/plugins/{name}/limits` | body: limit overrides, `{"cpu_time_ms": 250}` |
//! | `PUT /api/admin/plugins/{name}/grants` | body: every capability it holds, `["stock-write"]` |
//! | `DELETE /api/admin/plugins/{name}` | remove |
//!
//! A change answers `{"plugin": record, "refused": reason}`: this server
//! loads the plugins again before answering, and `refused` says why the
//! plugin no longer loads (null when it does).

use hyper::StatusCode;
use std::collections::BTreeSet;
use std::sync::Arc;

use barcoded_app::plugins::Change;
use barcoded_app::{InstallError, InstallRequest, Installed, Service, StoreError};
use barcoded_domain::{Admin, PluginRecord};
use barcoded_sandbox::{Limits, MAX_COMPONENT_BYTES};
use hyper::body::Incoming;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::body;
use super::query::percent_decode;
use crate::answer::Answer;

/// Largest JSON body of the settings endpoints.
const MAX_SETTINGS_BYTES: usize = 64 << 10;

/// Every installed plugin in scan order, each record with its counts and
/// quarantine, and the plugins the running server refused to load.
pub async fn list(service: &Service) -> Answer {
    let statuses = match service.office().plugins().await {
        Ok(statuses) => statuses,
        Err(error) => return Answer::store_failure(&error),
    };
    let plugins: Vec<_> = statuses
        .into_iter()
        .map(|status| {
            let mut entry = json!(status.plugin);
            entry["scans"] = json!(status.scans);
            entry["failures"] = json!(status.failures);
            entry["quarantine"] = json!(status.quarantine);
            entry
        })
        .collect();
    let refused: Vec<_> = service
        .refused()
        .iter()
        .map(|refused| json!({ "name": refused.plugin, "reason": refused.reason }))
        .collect();
    Answer {
        status: StatusCode::OK,
        body: json!({
            "plugins": plugins,
            "refused": refused,
            "default_limits": Limits::default().overrides(),
        }),
    }
}

/// `GET /api/admin/plugins/{name}`.
pub async fn get(service: &Service, raw_name: &str) -> Answer {
    let Some(name) = plugin_name(raw_name) else {
        return not_installed();
    };
    match service.office().plugin(&name).await {
        Ok(status) => Answer {
            status: StatusCode::OK,
            body: json!(status),
        },
        Err(error) => refusal(&error),
    }
}

/// `DELETE /api/admin/plugins/{name}`.
pub async fn remove(service: &Service, by: &Admin, raw_name: &str) -> Answer {
    let Some(name) = plugin_name(raw_name) else {
        return not_installed();
    };
    outcome(service.office().remove_plugin(by, &name).await)
}

/// `POST /api/admin/plugins/{name}/enable`: enables it and lifts its
/// quarantine.
pub async fn enable(service: &Arc<Service>, by: &Admin, raw_name: &str) -> Answer {
    change(service, by, raw_name, Change::Enable).await
}

/// `POST /api/admin/plugins/{name}/disable`.
pub async fn disable(service: &Arc<Service>, by: &Admin, raw_name: &str) -> Answer {
    change(service, by, raw_name, Change::Disable).await
}

/// `PUT /api/admin/plugins/{name}/priority` with `{"priority": 10}`.
pub async fn priority(
    service: &Arc<Service>,
    by: &Admin,
    raw_name: &str,
    request_body: Incoming,
) -> Answer {
    match read_object::<PriorityBody>(request_body).await {
        Ok(body) => match body.priority() {
            Some(priority) => change(service, by, raw_name, Change::Priority(priority)).await,
            None => Answer::error(StatusCode::BAD_REQUEST, r#"Send {"priority": <integer>}"#),
        },
        Err(answer) => answer,
    }
}

/// `PUT /api/admin/plugins/{name}/config` with every setting.
pub async fn config(
    service: &Arc<Service>,
    by: &Admin,
    raw_name: &str,
    request_body: Incoming,
) -> Answer {
    match read_json(request_body).await {
        Ok(config) => change(service, by, raw_name, Change::Config(config)).await,
        Err(answer) => answer,
    }
}

/// `PUT /api/admin/plugins/{name}/limits` with the limit overrides.
pub async fn limits(
    service: &Arc<Service>,
    by: &Admin,
    raw_name: &str,
    request_body: Incoming,
) -> Answer {
    match read_object(request_body).await {
        Ok(limits) => change(service, by, raw_name, Change::Limits(limits)).await,
        Err(answer) => answer,
    }
}

/// `PUT /api/admin/plugins/{name}/grants` with every capability it holds.
pub async fn grants(
    service: &Arc<Service>,
    by: &Admin,
    raw_name: &str,
    request_body: Incoming,
) -> Answer {
    match read_json(request_body).await {
        Ok(grants) => change(service, by, raw_name, Change::Grants(grants)).await,
        Err(answer) => answer,
    }
}

/// The body of `PUT .../priority`: `{"priority": 10}` and nothing else.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityBody {
    priority: serde_json::Number,
}

impl PriorityBody {
    /// The priority, written `10` or `10.0`, if it is a whole `i32`.
    fn priority(&self) -> Option<i32> {
        let number = &self.priority;
        let whole = number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e10)
                .map(|f| f as i64)
        });
        whole.and_then(|n| i32::try_from(n).ok())
    }
}

async fn change(service: &Arc<Service>, by: &Admin, raw_name: &str, change: Change) -> Answer {
    let Some(name) = plugin_name(raw_name) else {
        return not_installed();
    };
    let changed = service.office().change_plugin(by, &name, change).await;
    let mut answer = outcome(changed.map(|changed| changed.plugin));
    if answer.status == StatusCode::OK {
        answer.body["refused"] = json!(refused_now(service, &name).await);
    }
    answer
}

/// Why this server no longer loads plugin `name` after a change, if it does
/// not: the plugins are loaded again now rather than at the next poll, so
/// that an answer never says a change took when the plugin then failed.
async fn refused_now(service: &Arc<Service>, name: &str) -> Option<String> {
    let reloading = service.clone();
    match tokio::task::spawn_blocking(move || reloading.reload_if_changed()).await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => tracing::error!("cannot reload plugins: {error}"),
        Err(error) => tracing::error!("cannot reload plugins: {error}"),
    }
    service
        .refused()
        .iter()
        .find(|refused| refused.plugin == name)
        .map(|refused| refused.reason.clone())
}

/// `POST /api/admin/plugins?name=&priority=&disabled=&upgrade=` with the
/// component in the body.
pub async fn install(
    service: &Service,
    by: &Admin,
    query: Option<&str>,
    request_body: Incoming,
) -> Answer {
    let request = match install_request(query) {
        Ok(request) => request,
        Err(message) => return Answer::error(StatusCode::BAD_REQUEST, message),
    };
    // One byte over the limit is enough to say the component is too large.
    let bytes = match body::read_bounded(request_body, MAX_COMPONENT_BYTES + 1).await {
        Ok(bytes) => bytes,
        Err(answer) => return answer,
    };
    match service.install(by, bytes.to_vec(), request).await {
        Ok(installed) => {
            let (what, record, withheld) = match installed {
                Installed::New(record) => ("installed", record, BTreeSet::new()),
                Installed::Upgraded {
                    record, withheld, ..
                } => ("upgraded", record, withheld),
                Installed::Unchanged(record) => ("unchanged", record, BTreeSet::new()),
            };
            Answer {
                status: if what == "installed" {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                body: json!({ "result": what, "plugin": record, "withheld_grants": withheld }),
            }
        }
        Err(InstallError::Refused(reason)) => {
            Answer::error(StatusCode::UNPROCESSABLE_ENTITY, reason)
        }
        Err(InstallError::Store(error)) => Answer::store_failure(&error),
        Err(InstallError::Engine(error)) => Answer::internal(&error),
    }
}

/// The plugin name a path segment spells, percent-decoded.
fn plugin_name(raw: &str) -> Option<String> {
    percent_decode(raw).filter(|name| !name.is_empty())
}

fn not_installed() -> Answer {
    Answer::error(
        StatusCode::NOT_FOUND,
        "No plugin with this name is installed",
    )
}

fn install_request(query: Option<&str>) -> Result<InstallRequest, String> {
    let mut request = InstallRequest::default();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "name" => request.name = Some(value.to_owned()),
            "priority" => {
                request.priority = Some(
                    value
                        .parse()
                        .map_err(|_| format!("priority must be an integer, not {value:?}"))?,
                );
            }
            "disabled" => request.disabled = value == "true" || value.is_empty(),
            "upgrade" => request.upgrade = value == "true" || value.is_empty(),
            _ => {
                return Err(format!(
                    "unknown parameter {key:?}: use name, priority, disabled or upgrade"
                ));
            }
        }
    }
    Ok(request)
}

/// Like [`read_json`], for a body that must be a JSON object: serde would
/// also read a struct from an array of its fields.
async fn read_object<T: DeserializeOwned>(request_body: Incoming) -> Result<T, Answer> {
    let value: serde_json::Value = read_json(request_body).await?;
    if !value.is_object() {
        return Err(Answer::error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        Answer::error(
            StatusCode::BAD_REQUEST,
            format!("Request body is not valid: {e}"),
        )
    })
}

async fn read_json<T: DeserializeOwned>(request_body: Incoming) -> Result<T, Answer> {
    let bytes = body::read_bounded(request_body, MAX_SETTINGS_BYTES).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Answer::error(
            StatusCode::BAD_REQUEST,
            format!("Request body is not valid: {e}"),
        )
    })
}

fn outcome(result: Result<PluginRecord, StoreError>) -> Answer {
    match result {
        Ok(record) => Answer {
            status: StatusCode::OK,
            body: json!({ "plugin": record }),
        },
        Err(error) => refusal(&error),
    }
}

/// A store error as the answer: 404 for no such plugin, 422 for a change
/// that breaks a rule, 503 or 500 for a failure.
fn refusal(error: &StoreError) -> Answer {
    match error {
        StoreError::NotFound(message) => Answer::error(StatusCode::NOT_FOUND, message.clone()),
        StoreError::Refused(message) => {
            Answer::error(StatusCode::UNPROCESSABLE_ENTITY, message.clone())
        }
        error => Answer::store_failure(error),
    }
}
