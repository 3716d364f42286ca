//! `barcoded order`: purchase orders, which plugins granted `po-receive`
//! receive goods against.

use std::process::ExitCode;
use std::time::SystemTime;

use barcoded_app::Office;
use barcoded_domain::{OrderLine, PurchaseOrder, Receipt};
use clap::Subcommand;

use super::shell::{CliResult, by, wait};

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Create a purchase order.
    ///
    /// Scanning a supplier label that names the order (for example the
    /// `ecia` plugin with `receive=on`) books the label's quantity against
    /// the line of its product, and refuses to receive more than ordered.
    #[command(
        after_help = "Example:\n  barcoded order create PO-1001 --supplier DigiKey --supplier-reference 72991337 \\\n    --location DOCK --line RES-10K=500 --line CAP-100N=200"
    )]
    Create {
        /// The order number, as the supplier prints it on labels.
        number: String,
        /// Where received goods are booked.
        #[arg(long, default_value = "RECEIVING")]
        location: String,
        /// Who it was ordered from, as the catalog's supplier parts name
        /// them (`DigiKey`): supplier plugins receive only that supplier's
        /// labels against it.
        #[arg(long)]
        supplier: Option<String>,
        /// The supplier's own reference for the order (their sales order
        /// number, printed as `1K` on ECIA labels), so that labels naming
        /// only it find the order.
        #[arg(long)]
        supplier_reference: Option<String>,
        /// A line, as SKU=QUANTITY (repeatable).
        #[arg(long = "line", value_name = "SKU=QUANTITY", required = true, value_parser = parse_line)]
        lines: Vec<OrderLine>,
    },
    /// List purchase orders with what has been received.
    List,
    /// Show one purchase order, as JSON.
    Show { number: String },
    /// Receive units of a line by hand, without a label, for example goods
    /// whose label is missing. Refused past the quantity ordered.
    #[command(
        after_help = "Example:\n  barcoded order receive PO-1001 RES-10K 100 --location SHELF-A1"
    )]
    Receive {
        /// The order's number.
        number: String,
        /// The line's SKU.
        sku: String,
        /// How many units arrived.
        quantity: u32,
        /// Where they go [default: the order's location].
        #[arg(long)]
        location: Option<String>,
    },
}

pub fn run(office: &Office, command: OrderCommand) -> CliResult {
    match command {
        OrderCommand::Create {
            number,
            location,
            supplier,
            supplier_reference,
            lines,
        } => {
            let order = PurchaseOrder {
                number,
                supplier,
                supplier_reference,
                location,
                created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                lines,
            };
            let (number, lines, location) = (
                order.number.clone(),
                order.lines.len(),
                order.location.clone(),
            );
            wait(office.add_order(&by(), order))?;
            eprintln!(
                "Created purchase order {number} with {lines} lines; receipts go to {location}."
            );
        }
        OrderCommand::List => {
            let orders = wait(office.orders())?;
            if orders.is_empty() {
                eprintln!("no purchase orders; create one with `barcoded order create`");
            }
            println!(
                "{:<20} {:<16} {:<16} {:>6} {:>12}",
                "NUMBER", "SUPPLIER", "LOCATION", "LINES", "RECEIVED"
            );
            for order in orders {
                let ordered: u64 = order.lines.iter().map(|l| u64::from(l.ordered)).sum();
                let received: u64 = order.lines.iter().map(|l| u64::from(l.received)).sum();
                println!(
                    "{:<20} {:<16} {:<16} {:>6} {:>12}",
                    order.number,
                    order.supplier.as_deref().unwrap_or("-"),
                    order.location,
                    order.lines.len(),
                    format!("{received}/{ordered}")
                );
            }
        }
        OrderCommand::Show { number } => {
            let order = wait(office.order(&number))?.ok_or_else(|| {
                format!("there is no purchase order {number:?}; `barcoded order list` shows them")
            })?;
            let json = serde_json::to_string_pretty(&order)?;
            println!("{json}");
        }
        OrderCommand::Receive {
            number,
            sku,
            quantity,
            location,
        } => {
            let receipt = Receipt {
                order: number,
                sku,
                quantity,
                location,
                label: None,
            };
            for line in wait(office.receive_by_hand(&by(), receipt))?.receipts {
                eprintln!(
                    "Received {} of {} against {}: {} of {} ordered are in.",
                    line.quantity, line.sku, line.order, line.received, line.ordered
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_line(text: &str) -> Result<OrderLine, String> {
    let (sku, quantity) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("{text:?} is not SKU=QUANTITY"))?;
    let ordered = quantity
        .parse()
        .map_err(|_| format!("{quantity:?} is not a whole number of units"))?;
    Ok(OrderLine::new(sku, ordered))
}
