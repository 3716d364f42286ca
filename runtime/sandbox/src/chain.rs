//! The ordered set of plugins a barcode is handed to.
//!
//! Plugins are asked in priority order (lower first, then by name). The first
//! `Decoded` wins. A `Rejected` does not stop the chain: later plugins may
//! still recognise the data, and the first rejection is the answer only when
//! none does. A plugin that fails (traps, runs past a limit) is logged and
//! skipped; its failure is reported in the answer's diagnostics.
//!
//! A plugin that declares claim patterns is asked only about data one of
//! them matches (see [`crate::claims`]); results are the same as if it were
//! asked, so long as it declares what it would answer.
//!
//! Only the deciding plugin's requests to the server count: whatever the
//! others asked to book is dropped with their verdicts.

use std::sync::Arc;

use barcoded_domain::{Invalid, scan_order};

use crate::claims::Matcher;
use crate::failure::Failure;
use crate::host::{Requests, Server};
use crate::plugin::Plugin;
use crate::receiving::{Receipt, ReceiptRequest, ReceiptStatus};
use crate::verdict::{Decode, Rejection, Verdict};

/// Priority of a plugin installed without one.
pub const DEFAULT_PRIORITY: i32 = 100;

/// Plugins in the order they are asked.
pub struct Chain {
    plugins: Vec<Plugin>,
    /// Which of them a scan instantiates.
    matcher: Matcher,
}

/// Which plugins a scan asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Those with a claim pattern that matches the data, and those that
    /// declare none.
    Matching,
    /// Every plugin, whatever it declares: for checking that declarations
    /// change no answer.
    Every,
}

/// What the chain made of one barcode.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanOutcome {
    Decoded {
        plugin: String,
        decode: Decode,
        /// What the decoding plugin asked the server to book, and which of
        /// its calls were refused.
        requests: Requests,
        failures: Vec<PluginFailure>,
    },
    Rejected {
        plugin: String,
        rejection: Rejection,
        failures: Vec<PluginFailure>,
    },
    NoMatch {
        failures: Vec<PluginFailure>,
    },
}

/// A plugin that failed while scanning; the chain went on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFailure {
    pub plugin: String,
    pub failure: Failure,
    /// Its failed scans in a row, this one included.
    pub in_a_row: u32,
}

impl PluginFailure {
    /// `plugin`'s failure in a `call` (a scan, a receipt), logged within
    /// the plugin's log budget; the chain goes on without it.
    fn logged(plugin: &Plugin, call: &str, failure: Failure) -> PluginFailure {
        plugin.log().line(|| {
            tracing::warn!(plugin = plugin.name(), "{call} failed: plugin {failure}");
        });
        PluginFailure {
            plugin: plugin.name().to_owned(),
            failure,
            in_a_row: plugin.failures_in_a_row(),
        }
    }
}

impl ScanOutcome {
    /// Takes what the decoding plugin asked of the server (nothing for any
    /// other outcome).
    pub fn take_requests(&mut self) -> Requests {
        match self {
            ScanOutcome::Decoded { requests, .. } => std::mem::take(requests),
            _ => Requests::default(),
        }
    }

    /// The plugin that decoded or rejected the data.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            ScanOutcome::Decoded { plugin, .. } | ScanOutcome::Rejected { plugin, .. } => {
                Some(plugin)
            }
            ScanOutcome::NoMatch { .. } => None,
        }
    }

    /// The format that plugin recognised.
    pub fn format(&self) -> Option<&str> {
        match self {
            ScanOutcome::Decoded { decode, .. } => Some(&decode.format),
            ScanOutcome::Rejected { rejection, .. } => Some(&rejection.format),
            ScanOutcome::NoMatch { .. } => None,
        }
    }

    /// The code a decode names in the catalog.
    pub fn lookup_code(&self) -> Option<&str> {
        match self {
            ScanOutcome::Decoded { decode, .. } => decode.lookup_code.as_deref(),
            _ => None,
        }
    }

    /// The plugins that failed on the way to this outcome.
    pub fn failures(&self) -> &[PluginFailure] {
        match self {
            ScanOutcome::Decoded { failures, .. }
            | ScanOutcome::Rejected { failures, .. }
            | ScanOutcome::NoMatch { failures } => failures,
        }
    }
}

impl Chain {
    /// A chain of `plugins`, ordered by priority and then name, that asks
    /// the plugins `ask` says.
    pub fn new(mut plugins: Vec<Plugin>, ask: Ask) -> Chain {
        plugins.sort_by(|a, b| {
            scan_order(a.priority(), a.name()).cmp(&scan_order(b.priority(), b.name()))
        });
        let matcher = Matcher::new(plugins.iter().map(Plugin::claims), ask == Ask::Every);
        Chain { plugins, matcher }
    }

    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// Hands `data` to each plugin in turn that may claim it, leaving out
    /// those `skip` names, with `store` for their granted calls; see the
    /// module docs for the rules.
    pub async fn scan(
        &self,
        data: &str,
        skip: impl Fn(&str) -> bool,
        server: Option<&Arc<dyn Server>>,
    ) -> ScanOutcome {
        let mut rejected: Option<(String, Rejection)> = None;
        let mut failures = Vec::new();
        let asked = self.matcher.asked(data);
        let plugins = self.plugins.iter().zip(asked).filter(|(_, asked)| *asked);
        for plugin in plugins
            .map(|(plugin, _)| plugin)
            .filter(|plugin| !skip(plugin.name()))
        {
            let (verdict, requests) = plugin.scan(data, server).await;
            match verdict {
                Ok(Verdict::NotMine) => {}
                Ok(Verdict::Decoded(decode)) => {
                    return ScanOutcome::Decoded {
                        plugin: plugin.name().to_owned(),
                        decode,
                        requests,
                        failures,
                    };
                }
                Ok(Verdict::Rejected(rejection)) => {
                    rejected.get_or_insert_with(|| (plugin.name().to_owned(), rejection));
                }
                Err(failure) => failures.push(PluginFailure::logged(plugin, "scan", failure)),
            }
        }
        match rejected {
            Some((plugin, rejection)) => ScanOutcome::Rejected {
                plugin,
                rejection,
                failures,
            },
            None => ScanOutcome::NoMatch { failures },
        }
    }
}

/// What the chain made of one label to receive.
#[derive(Debug, Clone, PartialEq)]
pub enum ReceiptOutcome {
    /// A plugin answered: the first that did not refuse, else the first
    /// refusal.
    Answered {
        plugin: String,
        receipt: Box<Receipt>,
        /// What that plugin asked to book: nothing unless it received.
        requests: Requests,
        failures: Vec<PluginFailure>,
    },
    /// No plugin that receives knew the label.
    NoMatch { failures: Vec<PluginFailure> },
}

impl ReceiptOutcome {
    /// The plugins that failed on the way to this outcome.
    pub fn failures(&self) -> &[PluginFailure] {
        match self {
            ReceiptOutcome::Answered { failures, .. } | ReceiptOutcome::NoMatch { failures } => {
                failures
            }
        }
    }
}

impl Chain {
    /// Hands a label to receive to each plugin in turn that exports
    /// `receiving` and may claim it, leaving out those `skip` names. The
    /// first answer that is not a refusal decides; a refusal lets the next
    /// plugin try, and is the answer only when none receives the label.
    /// Only a `received` answer keeps what its plugin asked to book.
    pub async fn receive(
        &self,
        data: &str,
        request: &ReceiptRequest,
        skip: impl Fn(&str) -> bool,
        server: Option<&Arc<dyn Server>>,
    ) -> ReceiptOutcome {
        let mut refused: Option<(String, Box<Receipt>)> = None;
        let mut failures = Vec::new();
        let asked = self.matcher.asked(data);
        let plugins = self
            .plugins
            .iter()
            .zip(asked)
            .filter(|(plugin, asked)| *asked && plugin.receives() && !skip(plugin.name()));
        for (plugin, _) in plugins {
            let (answer, requests) = plugin.receive(data, request, server).await;
            match answer {
                Ok(None) => {}
                Ok(Some(receipt)) if receipt.status == ReceiptStatus::Refused => {
                    refused.get_or_insert_with(|| (plugin.name().to_owned(), Box::new(receipt)));
                }
                Ok(Some(receipt)) => {
                    let requests = match receipt.status {
                        ReceiptStatus::Received => requests,
                        _ => Requests {
                            refused: requests.refused,
                            ..Requests::default()
                        },
                    };
                    return ReceiptOutcome::Answered {
                        plugin: plugin.name().to_owned(),
                        receipt: Box::new(receipt),
                        requests,
                        failures,
                    };
                }
                Err(failure) => failures.push(PluginFailure::logged(plugin, "receipt", failure)),
            }
        }
        match refused {
            Some((plugin, receipt)) => ReceiptOutcome::Answered {
                plugin,
                receipt,
                requests: Requests::default(),
                failures,
            },
            None => ReceiptOutcome::NoMatch { failures },
        }
    }
}

/// Plugin names appear in logs, answers and file names: keep them plain.
pub fn validate_name(name: &str) -> Result<(), Invalid> {
    let plain = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
    if name.is_empty() || name.len() > 64 || !name.bytes().all(plain) {
        return Err(Invalid(format!(
            "plugin names are 1 to 64 lowercase letters, digits, `-` or `_`, not {name:?}"
        )));
    }
    Ok(())
}
