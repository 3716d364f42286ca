//! Why a plugin was refused at load, or a call into it gave no verdict, with
//! the limit behind it named.

use std::fmt;

use wasmtime::Trap;
use wasmtime::component::ResourceTableError;

use crate::limits::{Limit, Limits};
use crate::log::truncate;
use crate::sandbox::Sandbox;

/// Why a plugin could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub plugin: String,
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plugin `{}` refused: {}", self.plugin, self.reason)
    }
}

impl std::error::Error for LoadError {}

/// Why a call into a plugin produced no verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The plugin ran past one of its limits; the text says how far it may go.
    Limit(Limit, String),
    /// The plugin trapped (panicked, hit `unreachable`, ...).
    Trap(String),
    /// The plugin answered with something the server refuses to pass on.
    BadAnswer(String),
}

impl Failure {
    /// The limit behind this failure, if it was one.
    pub fn limit(&self) -> Option<Limit> {
        match self {
            Failure::Limit(limit, _) => Some(*limit),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Limit(limit, detail) => {
                write!(f, "exceeded its {} limit: {detail}", limit.name())
            }
            Failure::Trap(message) => write!(f, "trapped: {message}"),
            Failure::BadAnswer(reason) => write!(f, "returned an invalid answer: {reason}"),
        }
    }
}

/// Names the limit behind a failed call when there is one, so the error says
/// "memory limit" rather than a bare `unreachable` trap.
pub(crate) fn classify(error: &wasmtime::Error, sandbox: &Sandbox, limits: &Limits) -> Failure {
    let limit = sandbox.limit_hit().or_else(|| limit_in(error));
    match limit {
        Some(limit) => Failure::Limit(limit, limits.describe(limit)),
        // The root cause reads "wasm `unreachable` instruction executed" or the
        // host's reason; the backtrace above it means nothing to an operator.
        None => Failure::Trap(truncate(&error.root_cause().to_string(), 512)),
    }
}

/// The limit an engine error reports, for those wasmtime enforces itself.
fn limit_in(error: &wasmtime::Error) -> Option<Limit> {
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => return Some(Limit::CpuTime),
        Some(Trap::StackOverflow) => return Some(Limit::Stack),
        _ => {}
    }
    if let Some(ResourceTableError::Full) = error.downcast_ref::<ResourceTableError>() {
        return Some(Limit::Handles);
    }
    // wasmtime's hostcall-fuel error type is private; its text is not.
    let text = error.root_cause().to_string();
    if text.contains("fuel allocated for hostcalls") {
        return Some(Limit::Transfer);
    }
    text.contains("store handle limit exceeded")
        .then_some(Limit::Handles)
}
