//! `/api/admin/plugins`: the plugin operations of `barcoded plugin`, over
//! HTTP, for an `admin` key.
//!
//! | Method and path | Does |
//! |---|---|
//! | `GET /api/admin/plugins` | list installed plugins |
//! | `POST /api/admin/plugins?name=&priority=&disabled=&upgrade=` | install the component in the body |
//! | `GET /api/admin/plugins/{name}` | one plugin |
//! | `POST /api/admin/plugins/{name}/enable`, `/disable` | enable (and lift quarantine), disable |
//! | `PUT /api/admin/plugins/{name}/priority` | body `{"priority": 10}` |
//! | `PUT /api/admin/plugins/{name}/config` | body: every setting, `{"key": "value"}` |
//! | `PUT /api/admin/plugins/{name}/limits` | body: limit overrides, `{"cpu_time_ms": 250}` |
//! | `PUT /api/admin/plugins/{name}/grants` | body: every capability it holds, `["stock-write"]` |
//! | `DELETE /api/admin/plugins/{name}` | remove |

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hyper::Method;
use hyper::body::Incoming;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::body;
use crate::answer::Answer;
use barcoded_app::Service;
use barcoded_app::{InstallError, InstallRequest, Installed};
use barcoded_domain::Capability;
use barcoded_domain::LimitOverrides;
use barcoded_domain::PluginRecord;
use barcoded_sandbox::MAX_COMPONENT_BYTES;
use barcoded_store::StoreError;

/// Largest JSON body of the settings endpoints.
const MAX_SETTINGS_BYTES: usize = 64 << 10;

/// The methods an admin path answers to, as its `Allow` header lists them.
pub fn allowed(rest: &str) -> Option<&'static str> {
    match segments(rest).as_slice() {
        [] => Some("GET, HEAD, POST"),
        [_] => Some("GET, HEAD, DELETE"),
        [_, "enable" | "disable"] => Some("POST"),
        [_, "priority" | "config" | "limits" | "grants"] => Some("PUT"),
        _ => None,
    }
}

fn segments(rest: &str) -> Vec<&str> {
    rest.split('/').filter(|s| !s.is_empty()).collect()
}

/// Answers an admin request whose method [`allowed`] accepts.
pub async fn handle(
    service: Arc<Service>,
    method: &Method,
    rest: &str,
    query: Option<&str>,
    request_body: Incoming,
) -> Answer {
    match (method, segments(rest).as_slice()) {
        (&Method::GET, []) => list(&service),
        (&Method::POST, []) => install(service, query, request_body).await,
        (&Method::GET, [name]) => one(&service, name),
        (&Method::DELETE, [name]) => outcome(service.store().remove_plugin(name)),
        (&Method::POST, [name, "enable"]) => {
            let enabled = service.store().update_plugin(name, |r| r.enabled = true);
            let released =
                enabled.and_then(|record| service.store().release_plugin(name).map(|_| record));
            outcome(released)
        }
        (&Method::POST, [name, "disable"]) => {
            outcome(service.store().update_plugin(name, |r| r.enabled = false))
        }
        (&Method::PUT, [name, "priority"]) => match read_json::<Value>(request_body).await {
            Ok(value) => match value["priority"]
                .as_i64()
                .and_then(|p| i32::try_from(p).ok())
            {
                Some(priority) => outcome(
                    service
                        .store()
                        .update_plugin(name, |r| r.priority = priority),
                ),
                None => Answer::error(400, r#"Send {"priority": <integer>}"#),
            },
            Err(answer) => answer,
        },
        (&Method::PUT, [name, "config"]) => {
            match read_json::<BTreeMap<String, String>>(request_body).await {
                Ok(config) => outcome(service.store().update_plugin(name, |r| r.config = config)),
                Err(answer) => answer,
            }
        }
        (&Method::PUT, [name, "limits"]) => match read_json::<LimitOverrides>(request_body).await {
            Ok(limits) => match limits.validate() {
                Ok(()) => outcome(service.store().update_plugin(name, |r| r.limits = limits)),
                Err(invalid) => Answer::error(422, invalid.to_string()),
            },
            Err(answer) => answer,
        },
        (&Method::PUT, [name, "grants"]) => {
            match read_json::<BTreeSet<Capability>>(request_body).await {
                Ok(grants) => outcome(service.store().update_plugin(name, |r| r.grants = grants)),
                Err(answer) => answer,
            }
        }
        _ => Answer::error(404, "Not found"),
    }
}

fn list(service: &Service) -> Answer {
    match service.store().plugins() {
        Ok(mut records) => {
            records.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
            Answer {
                status: 200,
                body: json!({ "plugins": records }),
            }
        }
        Err(error) => Answer::store_failure(&error),
    }
}

fn one(service: &Service, name: &str) -> Answer {
    let store = service.store();
    let found = store.plugin(name).and_then(|record| {
        let stats = store.plugin_stats()?;
        let quarantine = store.quarantined_plugins()?;
        Ok(record.map(|record| {
            let (scans, failures) = stats.get(name).copied().unwrap_or_default();
            json!({ "plugin": record, "scans": scans, "failures": failures, "quarantine": quarantine.get(name) })
        }))
    });
    match found {
        Ok(Some(body)) => Answer { status: 200, body },
        Ok(None) => Answer::error(404, format!("No plugin named {name:?} is installed")),
        Err(error) => Answer::internal(&error),
    }
}

async fn install(service: Arc<Service>, query: Option<&str>, request_body: Incoming) -> Answer {
    let request = match install_request(query) {
        Ok(request) => request,
        Err(message) => return Answer::error(400, message),
    };
    // One byte over the limit is enough to say the component is too large.
    let bytes = match body::read_bounded(request_body, MAX_COMPONENT_BYTES + 1).await {
        Ok(bytes) => bytes,
        Err(answer) => return answer,
    };
    let installing = tokio::task::spawn_blocking(move || {
        service
            .registry()
            .install(service.store(), &bytes, &request)
    });
    match installing.await {
        Ok(Ok(installed)) => {
            let (what, record, withheld) = match installed {
                Installed::New(record) => ("installed", record, BTreeSet::new()),
                Installed::Upgraded {
                    record, withheld, ..
                } => ("upgraded", record, withheld),
                Installed::Unchanged(record) => ("unchanged", record, BTreeSet::new()),
            };
            Answer {
                status: if what == "installed" { 201 } else { 200 },
                body: json!({ "result": what, "plugin": record, "withheld_grants": withheld }),
            }
        }
        Ok(Err(InstallError::Refused(reason))) => Answer::error(422, reason),
        Ok(Err(InstallError::Store(error))) => Answer::store_failure(&error),
        Ok(Err(InstallError::Disk(error))) => {
            Answer::store_failure(&StoreError::Unavailable(error.to_string()))
        }
        Err(error) => Answer::internal(&error),
    }
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

async fn read_json<T: DeserializeOwned>(request_body: Incoming) -> Result<T, Answer> {
    let bytes = body::read_bounded(request_body, MAX_SETTINGS_BYTES).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Answer::error(400, format!("Request body is not valid: {e}")))
}

fn outcome(result: Result<PluginRecord, StoreError>) -> Answer {
    match result {
        Ok(record) => Answer {
            status: 200,
            body: json!({ "plugin": record }),
        },
        Err(StoreError::NotFound(message)) => Answer::error(404, message),
        Err(StoreError::Refused(message)) => Answer::error(422, message),
        Err(error) => Answer::store_failure(&error),
    }
}
