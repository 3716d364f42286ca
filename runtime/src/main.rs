use std::process::ExitCode;

fn main() -> ExitCode {
    barcoded::cli::run()
}
