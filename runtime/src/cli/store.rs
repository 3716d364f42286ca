//! `barcoded store`: moving a store between backends.

use std::process::ExitCode;

use barcoded_app::StorePlace;
use clap::{Args, Subcommand};

use super::shell::CliResult;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy every record of one store into another, empty one, and check
    /// the copy record by record.
    ///
    /// Moves a single server's data folder into a PostgreSQL database for a
    /// fleet, or a database back into a data folder. Everything moves:
    /// products, barcode records, API keys (their digests: keys go on
    /// working), plugins with their components, grants and settings, scan
    /// counts, the quarantine, stock levels and movements, purchase orders
    /// and the scan history, ids kept. Stop every server using the source
    /// first; the target must be empty. Prints each kind's records and
    /// SHA-256, the same for source and copy, and exits 1 if they differ.
    #[command(after_help = "Examples:\n  \
        barcoded store migrate --from /var/lib/barcoded --to postgres://barcoded:PASSWORD@db/barcoded\n  \
        barcoded store migrate --from postgres://barcoded:PASSWORD@db/barcoded --to ./barcoded-data")]
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The store to copy: a data folder, or a postgres:// URL.
    #[arg(long, value_name = "DATA_DIR|URL")]
    from: String,
    /// The empty store to copy into: a data folder (created if missing),
    /// or a postgres:// URL of an empty (or new) database.
    #[arg(long, value_name = "DATA_DIR|URL")]
    to: String,
}

pub fn run(command: StoreCommand) -> CliResult {
    let StoreCommand::Migrate(args) = command;
    let (from, to) = (StorePlace::named(&args.from), StorePlace::named(&args.to));
    let tally = barcoded_app::migrate(&from, &to, &mut |copied| {
        eprint!("\rcopied {copied} records");
    })?;
    eprintln!();
    println!("{:<20} {:>10}  SHA256", "KIND", "RECORDS");
    for (kind, records, sha256) in tally.rows() {
        println!("{:<20} {records:>10}  {sha256}", kind.name());
    }
    eprintln!(
        "Copied {} records from {from} to {to}; the copy matches the source record by record.",
        tally.records(),
    );
    Ok(ExitCode::SUCCESS)
}
