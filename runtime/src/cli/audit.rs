//! `barcoded audit`: the trail of administrative changes, newest first.

use std::process::ExitCode;

use barcoded_app::Office;
use barcoded_domain::{AuditQuery, MAX_AUDIT_PAGE};
use clap::Args;

use super::shell::{CliResult, print_json, wait};

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  barcoded audit --operation plugin\n  \
                        barcoded audit --actor ops --limit 200 --json")]
pub struct AuditArgs {
    /// Only changes by this key name, or by this user of the command line.
    #[arg(long)]
    actor: Option<String>,
    /// Only this operation (plugin.grant), or every one of a kind (plugin).
    #[arg(long)]
    operation: Option<String>,
    /// Only changes to this key, plugin, SKU, order or barcode record.
    #[arg(long)]
    target: Option<String>,
    /// Entries to show, newest first.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=MAX_AUDIT_PAGE as u64))]
    limit: u64,
    /// Only entries older than this id: the cursor the previous page printed.
    #[arg(long, value_name = "ID")]
    before: Option<u64>,
    /// Print the page as JSON, as GET /api/admin/audit answers it.
    #[arg(long)]
    json: bool,
}

pub fn run(office: &Office, args: AuditArgs) -> CliResult {
    let query = AuditQuery {
        before: args.before,
        limit: usize::try_from(args.limit)?,
        actor: args.actor,
        operation: args.operation,
        target: args.target,
    };
    let page = wait(office.audit(query))?;
    if args.json {
        print_json(&serde_json::json!({
            "results": page.entries,
            "next_before": page.next_before,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>6} {:<24} {:<4} {:<20} {:<18} {:<24} DETAIL",
        "ID", "TIME", "VIA", "ACTOR", "OPERATION", "TARGET"
    );
    for entry in &page.entries {
        let via = serde_json::to_value(entry.via)?;
        println!(
            "{:>6} {:<24} {:<4} {:<20} {:<18} {:<24} {}",
            entry.id,
            entry.time,
            via.as_str().unwrap_or_default(),
            entry.actor,
            entry.operation,
            entry.target,
            entry.detail
        );
    }
    if page.entries.is_empty() {
        eprintln!("no changes match");
    }
    if let Some(before) = page.next_before {
        eprintln!("more: barcoded audit --before {before}");
    }
    Ok(ExitCode::SUCCESS)
}
