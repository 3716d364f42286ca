//! Log output: human-readable lines on stderr, filtered by `BARCODED_LOG`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The environment variable holding the log filter, such as `debug` or
/// `info,plugin=warn` (the `plugin` target carries what plugins print).
pub const FILTER_VAR: &str = "BARCODED_LOG";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people: time, level, message.
    Text,
    /// One JSON object per line, for a log pipeline: `timestamp`, `level`,
    /// `target`, `fields` (the message, and `plugin` for what a plugin
    /// printed or failed with) and `spans` (a scan's `scan_id` and `key`,
    /// the API key's name; never the key).
    Json,
}

/// Sets up logging; `default` applies when `BARCODED_LOG` is unset.
pub fn init(default: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_env(FILTER_VAR).unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
}
