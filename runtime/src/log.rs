//! Log output: human-readable lines on stderr, filtered by `BARCODED_LOG`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The environment variable holding the log filter, such as `debug` or
/// `info,plugin=warn` (the `plugin` target carries what plugins print).
pub const FILTER_VAR: &str = "BARCODED_LOG";

/// Sets up logging; `default` applies when `BARCODED_LOG` is unset.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_env(FILTER_VAR).unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
