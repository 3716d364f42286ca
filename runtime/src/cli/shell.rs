//! What every command shares: its result, waiting for an operation, the
//! service as a command at the shell runs it, and printing a record.

use std::path::Path;
use std::process::ExitCode;

use barcoded_app::{Policy, Service, Setup, StorePlace};
use barcoded_domain::Retention;

/// History kept when the operator says nothing.
pub const DEFAULT_HISTORY: Retention = Retention {
    max_entries: 100_000,
    max_age: std::time::Duration::from_secs(90 * 24 * 3600),
};

/// What a command ends with: its exit code, or the error to report. Every
/// layer's typed error converts into it; this edge only prints it.
pub type CliResult<T = ExitCode> = Result<T, Box<dyn std::error::Error>>;

/// Who the audit trail names for a change made from this command line.
pub fn by() -> barcoded_domain::Admin {
    barcoded_domain::Admin::command_line()
}

/// Waits for `operation` on this thread, which may block: a command runs
/// on the main thread, beside the runtime's workers.
pub fn wait<F: std::future::Future>(operation: F) -> F::Output {
    tokio::runtime::Handle::current().block_on(operation)
}

/// How a command run at the shell treats plugins: it never quarantines one.
const COMMAND_LINE: Policy = Policy {
    pos_may_link: false,
    quarantine_after: 0,
    history: DEFAULT_HISTORY,
};

/// The service, for a command run at the shell: one scan at a time.
pub fn local_service(data_dir: &Path, place: &StorePlace) -> CliResult<Service> {
    Ok(Service::open(&Setup {
        data_dir: data_dir.to_owned(),
        store: place.clone(),
        ask_every_plugin: false,
        concurrent_scans: 1,
        policy: COMMAND_LINE,
    })?)
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> CliResult<()> {
    let json = serde_json::to_string_pretty(value)?;
    println!("{json}");
    Ok(())
}
