//! What the server learns about every call into a plugin, for its metrics.
//! The sandbox only reports; the server decides what to count.

use std::fmt;
use std::time::Duration;

use barcoded_domain::RefusedCall;

use crate::failure::Failure;
use crate::verdict::Verdict;

/// One scan by one plugin, as it ended.
#[derive(Debug)]
pub struct Observation<'a> {
    /// The plugin's installed name.
    pub plugin: &'a str,
    /// How long the fresh instance took to create; `None` when that failed.
    pub instantiate: Option<Duration>,
    /// How long the `scan` call ran; `None` when it never started.
    pub call: Option<Duration>,
    pub verdict: Result<&'a Verdict, &'a Failure>,
    /// Its calls to the server that were not carried out.
    pub refused: &'a [RefusedCall],
}

/// Told of every scan a plugin makes. Called on the scanning thread, after
/// the instance is gone: keep it to a few atomic updates.
pub trait Observer: Send + Sync + fmt::Debug {
    fn scanned(&self, observation: &Observation<'_>);
}
