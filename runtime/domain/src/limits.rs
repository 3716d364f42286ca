//! What an operator may change of a plugin's limits.

use crate::Invalid;
use serde::{Deserialize, Deserializer, Serialize};

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
    #[serde(default, deserialize_with = "whole")]
    pub cpu_time_ms: Option<u64>,
    #[serde(default, deserialize_with = "whole")]
    pub memory_mib: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub table_elements: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub instances: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub output_bytes: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub output_lines: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub answer_fields: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub answer_value_bytes: Option<usize>,
    #[serde(default, deserialize_with = "whole")]
    pub payload_bytes: Option<usize>,
}

/// Reads a count as JSON may write it, `250` or `250.0`; anything with a
/// fraction, negative or too large for `T` is refused.
fn whole<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..1.8e19).contains(f))
            .map(|f| f as u64)
    });
    whole
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not a count")))
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
