//! The bounds every plugin runs within, per scan.
//!
//! Plugins are untrusted, so every resource they can consume has a ceiling
//! here: CPU time, memory, stack, what they print, and how large an answer
//! they may hand back. Going past one ends that plugin's scan with an error
//! naming the limit; the server itself is never at risk.

use std::time::Duration;

use barcoded_domain::LimitOverrides;

/// How often the engine's epoch advances. CPU limits are checked at this
/// interval, so a scan may overrun its budget by up to one tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Stack a plugin's wasm code may use before it traps. wasmtime's default,
/// stated here so that a change in wasmtime cannot loosen it unnoticed.
pub const MAX_WASM_STACK: usize = 512 << 10;

/// Ceilings on what one scan of one plugin may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// CPU time the plugin may use, counted with its thread's CPU clock
    /// while it runs (not while it waits for a core or a thread).
    pub cpu_time: Duration,
    /// Bytes of linear memory, summed over the component's memories.
    pub memory_bytes: usize,
    /// Elements across the component's tables.
    pub table_elements: usize,
    /// Core instances a component may create (a Rust component uses a few).
    pub instances: usize,
    /// Bytes a plugin may write to stdout and to stderr, each, per scan.
    pub output_bytes: usize,
    /// Lines a plugin may write to stdout and to stderr, each, per scan.
    pub output_lines: usize,
    /// Calls to the `barcode:plugin` imports (`config`, `catalog`, `stock`,
    /// `purchasing`) per scan, refused ones included.
    pub host_calls: u32,
    /// Live WASI resources (streams, pollables, ...) and component handles.
    pub handles: usize,
    /// Bounds on the result a plugin returns.
    pub answer: AnswerLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_time: Duration::from_millis(100),
            memory_bytes: 32 << 20,
            table_elements: 20_000,
            instances: 32,
            output_bytes: 16 << 10,
            output_lines: 100,
            host_calls: 64,
            handles: 256,
            answer: AnswerLimits::default(),
        }
    }
}

impl Limits {
    /// These limits with `overrides` applied.
    pub fn with(&self, overrides: &LimitOverrides) -> Limits {
        let mut limits = self.clone();
        let o = overrides;
        if let Some(ms) = o.cpu_time_ms {
            limits.cpu_time = Duration::from_millis(ms);
        }
        if let Some(mib) = o.memory_mib {
            limits.memory_bytes = mib.saturating_mul(1 << 20);
        }
        limits.table_elements = o.table_elements.unwrap_or(limits.table_elements);
        limits.instances = o.instances.unwrap_or(limits.instances);
        limits.output_bytes = o.output_bytes.unwrap_or(limits.output_bytes);
        limits.output_lines = o.output_lines.unwrap_or(limits.output_lines);
        limits.answer.fields = o.answer_fields.unwrap_or(limits.answer.fields);
        limits.answer.value_text = o.answer_value_bytes.unwrap_or(limits.answer.value_text);
        limits.answer.payload_bytes = o.payload_bytes.unwrap_or(limits.answer.payload_bytes);
        limits
    }

    /// These limits in the override keys' units, every key set: what a
    /// plugin gets where its overrides leave a key out.
    pub fn overrides(&self) -> LimitOverrides {
        LimitOverrides {
            cpu_time_ms: Some(u64::try_from(self.cpu_time.as_millis()).unwrap_or(u64::MAX)),
            memory_mib: Some(self.memory_bytes >> 20),
            table_elements: Some(self.table_elements),
            instances: Some(self.instances),
            output_bytes: Some(self.output_bytes),
            output_lines: Some(self.output_lines),
            answer_fields: Some(self.answer.fields),
            answer_value_bytes: Some(self.answer.value_text),
            payload_bytes: Some(self.answer.payload_bytes),
        }
    }

    /// How far a plugin may go before it runs into `limit`, in words.
    pub fn describe(&self, limit: Limit) -> String {
        match limit {
            Limit::CpuTime => format!("{} ms of CPU time per scan", self.cpu_time.as_millis()),
            Limit::Memory => format!("{} MiB of memory", self.memory_bytes >> 20),
            Limit::Table => format!("{} table elements", self.table_elements),
            Limit::Stack => format!("{} KiB of stack", MAX_WASM_STACK >> 10),
            Limit::Output => format!(
                "{} bytes or {} lines printed per stream per scan",
                self.output_bytes, self.output_lines
            ),
            Limit::Answer => format!(
                "{} fields, {}-byte values, {}-byte payload",
                self.answer.fields, self.answer.value_text, self.answer.payload_bytes
            ),
            Limit::Transfer => format!(
                "{} bytes copied out of the plugin per call",
                self.answer.transfer_bytes()
            ),
            Limit::HostCalls => format!("{} host calls per scan", self.host_calls),
            Limit::Handles => format!("{} open handles", self.handles),
        }
    }
}

/// Bounds on a plugin's answer, checked before anything reaches a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLimits {
    /// Longest `format`, `uom-code` and field key, in bytes.
    pub short_text: usize,
    /// Longest `lookup-code` and field value, in bytes.
    pub value_text: usize,
    /// Longest error reason and info text, in bytes.
    pub reason_text: usize,
    /// Most fields in one result.
    pub fields: usize,
    /// Largest JSON payload, in bytes.
    pub payload_bytes: usize,
}

impl AnswerLimits {
    /// Most bytes the host copies out of the plugin in one call: enough for
    /// the largest answer these limits allow, so that a larger one (strings
    /// aliasing one buffer, lists longer than memory) is stopped while it is
    /// being copied, before it costs the server more.
    pub fn transfer_bytes(&self) -> usize {
        // Each string or list costs its bytes plus an 8-byte pointer and length.
        let field = self.short_text + self.value_text + 16;
        let result = self.short_text * 2 + self.value_text * 2 + self.reason_text * 4;
        self.fields
            .saturating_mul(field)
            .saturating_add(self.payload_bytes)
            .saturating_add(result)
            .saturating_add(1 << 10)
    }
}

impl Default for AnswerLimits {
    fn default() -> Self {
        AnswerLimits {
            short_text: 64,
            value_text: 4096,
            reason_text: 1024,
            fields: 128,
            payload_bytes: 64 << 10,
        }
    }
}

/// Which limit a plugin ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    CpuTime,
    Memory,
    Table,
    Stack,
    Output,
    Answer,
    Transfer,
    HostCalls,
    Handles,
}

impl Limit {
    /// The limit's name as it appears in logs and scan diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            Limit::CpuTime => "cpu-time",
            Limit::Memory => "memory",
            Limit::Table => "table-elements",
            Limit::Stack => "stack",
            Limit::Output => "output",
            Limit::Answer => "answer",
            Limit::Transfer => "transfer",
            Limit::HostCalls => "host-calls",
            Limit::Handles => "handles",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_back_from_their_overrides() {
        let base = Limits::default();
        assert_eq!(base.with(&base.overrides()), base);
        let tighter = LimitOverrides {
            cpu_time_ms: Some(250),
            memory_mib: Some(64),
            payload_bytes: Some(1024),
            ..LimitOverrides::default()
        };
        let limits = base.with(&tighter);
        assert_eq!(Limits::default().with(&limits.overrides()), limits);
        assert_eq!(limits.overrides().cpu_time_ms, Some(250));
        assert_eq!(limits.overrides().memory_mib, Some(64));
    }
}
