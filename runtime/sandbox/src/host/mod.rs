//! What a plugin may ask of the server beyond decoding: its settings, and,
//! where the operator granted it, catalog queries, stock changes and
//! receipts.
//!
//! Every store call is checked against the plugin's grants before it
//! touches the store. Changes are only collected here, checked against the
//! store as they are asked for; the service books them with the scan's
//! history entry once the scan is decided, and drops them otherwise.

mod catalog;
mod purchasing;
mod server;
mod stock;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use barcoded_domain::{Booking, Capability, RefusedCall};

use crate::bindings::barcode::plugin::{config, types};
use crate::limits::Limit;
use crate::log::PluginLog;
pub use server::{Answer, CallError, Server};
use types::HostError;

/// Most stock changes and receipts one scan may ask for.
const MAX_BOOKED: usize = 32;

/// Longest text argument a store call takes, in bytes.
const MAX_ARGUMENT_BYTES: usize = 256;

/// What one call into a plugin may reach, and what its calls asked for.
pub struct HostState {
    log: Arc<PluginLog>,
    config: Arc<BTreeMap<String, String>>,
    grants: Arc<BTreeSet<Capability>>,
    /// The server, during a scan; `None` during `info`.
    server: Option<Arc<dyn Server>>,
    /// Calls to the imports left in this call into the plugin.
    calls_left: u32,
    /// Set when the plugin was stopped for making too many calls.
    limit_hit: Option<Limit>,
    requests: Requests,
    /// During a receipt, the hash of the label received: its receipts
    /// carry it, so the store receives one label once.
    receipt_label: Option<String>,
}

/// What a plugin's calls left to book, and which calls were not carried out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    pub booking: Booking,
    pub refused: Vec<RefusedCall>,
}

impl HostState {
    /// The state of one call into `log`'s plugin, which may make
    /// `host_calls` calls to the imports.
    pub fn new(
        log: Arc<PluginLog>,
        config: Arc<BTreeMap<String, String>>,
        grants: Arc<BTreeSet<Capability>>,
        server: Option<Arc<dyn Server>>,
        host_calls: u32,
    ) -> HostState {
        HostState {
            log,
            config,
            grants,
            server,
            calls_left: host_calls,
            limit_hit: None,
            requests: Requests::default(),
            receipt_label: None,
        }
    }

    /// Makes this call a receipt of the label hashed `label`.
    pub fn receiving(mut self, label: String) -> HostState {
        self.receipt_label = Some(label);
        self
    }

    pub fn into_requests(self) -> Requests {
        self.requests
    }

    /// The limit the plugin's calls ran into, if any.
    pub fn limit_hit(&self) -> Option<Limit> {
        self.limit_hit
    }

    /// Counts one call to an import, and traps the plugin when it has none
    /// left: refused calls cost as much as granted ones, so a plugin cannot
    /// loop on the host for the rest of its CPU time.
    fn count_call(&mut self, call: &'static str) -> wasmtime::Result<()> {
        match self.calls_left.checked_sub(1) {
            Some(left) => {
                self.calls_left = left;
                Ok(())
            }
            None => {
                self.limit_hit = Some(Limit::HostCalls);
                wasmtime::bail!("{call}: the plugin made more host calls than its limit")
            }
        }
    }

    /// Starts the store call `call`: counts it, trapping the plugin once it
    /// has made its limit of calls, and answers the server if the plugin
    /// holds `needs` and is in a scan. End the call with [`Self::end`].
    fn begin(
        &mut self,
        call: &'static str,
        needs: Capability,
    ) -> wasmtime::Result<Result<Arc<dyn Server>, HostError>> {
        self.count_call(call)?;
        Ok(self.access(needs))
    }

    /// Ends the store call `call` with `result`; records and logs the call
    /// when it was not carried out.
    fn end<T>(
        &mut self,
        call: &'static str,
        result: Result<T, HostError>,
    ) -> wasmtime::Result<Result<T, HostError>> {
        if let Err(error) = &result {
            self.record_refusal(call, error);
        }
        Ok(result)
    }

    fn access(&self, needs: Capability) -> Result<Arc<dyn Server>, HostError> {
        if !self.grants.contains(&needs) {
            return Err(HostError::NotGranted(format!(
                "plugin {plugin} is not granted {needs}; an operator grants it with \
                 `barcoded plugin grant {plugin} {needs}` (to `plugin try`, pass \
                 `--grant {needs}`)",
                plugin = self.log.plugin()
            )));
        }
        let Some(server) = &self.server else {
            return Err(HostError::Unavailable(
                "no store to read: the store is reached only while scanning (not from `info`), \
                 and a `plugin try` reaches one only in a --data-dir that has one"
                    .into(),
            ));
        };
        Ok(server.clone())
    }

    fn record_refusal(&mut self, call: &'static str, error: &HostError) {
        let (kind, reason) = match error {
            HostError::NotGranted(reason) => ("not-granted", reason),
            HostError::Refused(reason) => ("refused", reason),
            HostError::Unavailable(reason) => ("unavailable", reason),
        };
        let plugin = self.log.plugin();
        self.log
            .line(|| tracing::warn!(target: "plugin", plugin = %plugin, "[{plugin}] {call} {kind}: {reason}"));
        // Bounded by the plugin's host calls.
        self.requests.refused.push(RefusedCall {
            call: call.to_owned(),
            error: kind.to_owned(),
            reason: reason.clone(),
        });
    }
}

/// Refuses a text argument longer than [`MAX_ARGUMENT_BYTES`].
fn bounded<'a>(what: &str, text: &'a str) -> Result<&'a str, HostError> {
    if text.len() > MAX_ARGUMENT_BYTES {
        return Err(HostError::Refused(format!(
            "{what} is {} bytes, over {MAX_ARGUMENT_BYTES}",
            text.len()
        )));
    }
    Ok(text)
}

/// Adds one change or receipt to `booking` if the whole still passes the
/// store's checks; leaves `booking` as it was otherwise.
async fn ask(
    server: &dyn Server,
    booking: &mut Booking,
    add: impl FnOnce(&mut Booking),
) -> Result<(), HostError> {
    if booking.changes.len() + booking.receipts.len() >= MAX_BOOKED {
        return Err(HostError::Refused(format!(
            "a scan may ask for {MAX_BOOKED} stock changes and receipts"
        )));
    }
    let mut candidate = booking.clone();
    add(&mut candidate);
    server.check_booking(&candidate).await.map_err(host_error)?;
    *booking = candidate;
    Ok(())
}

/// What a plugin is told when the server refuses or fails. A failure's
/// detail goes to the log only.
fn host_error(error: CallError) -> HostError {
    match error {
        CallError::Refused(reason) => HostError::Refused(reason),
        CallError::Failed(detail) => {
            tracing::error!("store failure during a plugin's call: {detail}");
            HostError::Unavailable("the server's store failed; the detail is in its log".into())
        }
    }
}

impl types::Host for HostState {}

impl config::Host for HostState {
    async fn get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        self.count_call("config.get")?;
        Ok(self.config.get(&key).cloned())
    }

    async fn all(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        self.count_call("config.all")?;
        Ok(self
            .config
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}
