//! `barcoded stock`: levels, the movement log, and operators' corrections.

use std::process::ExitCode;

use barcoded_app::{Office, Transfer};
use barcoded_domain::{Actions, StockChange};
use clap::Subcommand;

use super::shell::{CliResult, by, wait};

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Show the on-hand quantity per SKU and location.
    Levels {
        /// Only this SKU.
        sku: Option<String>,
    },
    /// Show the newest stock movements: who moved what, when, and why.
    Movements {
        /// Only this SKU.
        #[arg(long)]
        sku: Option<String>,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Change a level by hand, for example after counting a shelf.
    ///
    /// The movement is logged with no plugin and no key, as an operator's.
    #[command(
        after_help = "Examples:\n  barcoded stock adjust SCREW-M4 SHELF-A1 120 --reason \"counted\"\n  barcoded stock adjust SCREW-M4 SHELF-A1 -- -5 --reason \"damaged\""
    )]
    Adjust {
        /// The product's SKU; it must be in the catalog.
        sku: String,
        /// Any name of up to 64 characters, such as SHELF-A1.
        location: String,
        /// Units to add; negative takes away (write `-- -5`).
        #[arg(allow_negative_numbers = true)]
        delta: i64,
        /// Why, for the movement log.
        #[arg(long)]
        reason: String,
    },
    /// Move units between two locations: both levels change, or neither.
    #[command(
        after_help = "Example:\n  barcoded stock move SCREW-M4 RECEIVING SHELF-A1 40 --reason \"put away\""
    )]
    Move {
        /// The product's SKU; it must be in the catalog.
        sku: String,
        /// The location the units leave.
        from: String,
        /// The location they go to.
        to: String,
        /// How many units.
        quantity: u32,
        /// Why, for the movement log.
        #[arg(long)]
        reason: String,
    },
}

pub fn run(office: &Office, command: StockCommand) -> CliResult {
    match command {
        StockCommand::Levels { sku } => {
            let levels = wait(office.stock(sku.as_deref(), usize::MAX, 0))?.levels;
            if levels.is_empty() {
                eprintln!("no stock has moved yet");
            }
            println!("{:<24} {:<20} {:>12}", "SKU", "LOCATION", "LEVEL");
            for (sku, location, level) in levels {
                println!("{sku:<24} {location:<20} {level:>12}");
            }
        }
        StockCommand::Movements { sku, limit } => {
            let movements = wait(office.movements(sku.as_deref(), limit))?;
            println!(
                "{:>8} {:<24} {:<20} {:<16} {:>8} {:>8} {:<24} REASON",
                "ID", "TIME", "SKU", "LOCATION", "DELTA", "LEVEL", "BY"
            );
            for m in movements {
                let by = match (&m.plugin, &m.key) {
                    (Some(plugin), Some(key)) => format!("{plugin} ({key})"),
                    (Some(plugin), None) => plugin.clone(),
                    _ => "operator".to_owned(),
                };
                println!(
                    "{:>8} {:<24} {:<20} {:<16} {:>+8} {:>8} {by:<24} {}",
                    m.id, m.time, m.sku, m.location, m.delta, m.level, m.reason
                );
            }
        }
        StockCommand::Adjust {
            sku,
            location,
            delta,
            reason,
        } => {
            let change = StockChange {
                sku,
                location,
                delta,
                reason,
            };
            report(&wait(office.adjust_stock(&by(), change))?);
        }
        StockCommand::Move {
            sku,
            from,
            to,
            quantity,
            reason,
        } => {
            let transfer = Transfer {
                sku,
                from,
                to,
                quantity,
                reason,
            };
            report(&wait(office.move_stock(&by(), transfer))?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Says each level a booking changed.
fn report(booked: &Actions) {
    for m in &booked.movements {
        eprintln!(
            "{} at {} is now {} (movement {}).",
            m.sku, m.location, m.level, m.id
        );
    }
}
