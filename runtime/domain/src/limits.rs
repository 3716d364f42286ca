//! What an operator may change of a plugin's limits.

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// Most linear memory a plugin may be given, in bytes: the engine reserves
/// this much address space per instance slot.
pub const MAX_MEMORY_BYTES: usize = 256 << 20;

/// Per-plugin overrides, as an operator writes them in a plugin's
/// `<file name>.limits.json` (for `10-gtin.wasm`, `10-gtin.limits.json`).
/// Every field is optional; unknown fields are refused, so a typo cannot
/// silently leave a default in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    pub cpu_time_ms: Option<u64>,
    pub memory_mib: Option<usize>,
    pub table_elements: Option<usize>,
    pub instances: Option<usize>,
    pub output_bytes: Option<usize>,
    pub output_lines: Option<usize>,
    pub answer_fields: Option<usize>,
    pub answer_value_bytes: Option<usize>,
    pub payload_bytes: Option<usize>,
}

impl LimitOverrides {
    /// Refuses overrides the engine cannot honour or that make no sense.
    pub fn validate(&self) -> Result<(), Invalid> {
        let max_mib = MAX_MEMORY_BYTES >> 20;
        if let Some(mib) = self.memory_mib.filter(|&mib| mib == 0 || mib > max_mib) {
            return Err(Invalid(format!(
                "memory_mib must be 1 to {max_mib}, not {mib}"
            )));
        }
        if self.cpu_time_ms == Some(0) {
            return Err(Invalid("cpu_time_ms must be at least 1".into()));
        }
        Ok(())
    }
}
