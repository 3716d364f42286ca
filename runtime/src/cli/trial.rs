//! `barcoded plugin try`: a component that is not installed, run on sample
//! data in the sandbox and limits an installed plugin gets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use barcoded_app::{StorePlace, Trial};
use barcoded_domain::Capability;
use barcoded_sandbox::{Plugin, ReceiptRequest, ReceiptStatus, Requests, Verdict};
use clap::Args;
use serde_json::{Value, json};

use super::shell::{CliResult, wait};

#[derive(Debug, Args)]
pub struct TryArgs {
    /// The component file (.wasm).
    file: PathBuf,
    /// Barcode texts to scan, one answer each. In bash, pass control
    /// characters with $'...', for example $'\x1d' for GS.
    #[arg(required = true)]
    data: Vec<String>,
    /// A setting the plugin reads through `config`, as KEY=VALUE (repeatable).
    #[arg(long = "config", value_name = "KEY=VALUE")]
    config: Vec<String>,
    /// A capability to grant it: catalog-read, stock-read, stock-write or
    /// po-receive (repeatable). Its calls read the store of --data-dir if
    /// there is one; nothing is booked.
    #[arg(long = "grant", value_name = "CAPABILITY")]
    grants: Vec<Capability>,
    /// Receive each barcode as `POST /api/barcode/po-receive/` would
    /// (through the plugin's `receiving` export), rather than scan it.
    #[arg(long)]
    receive: bool,
    /// With --receive: the purchase order the client names (its number).
    #[arg(long, requires = "receive", value_name = "NUMBER")]
    order: Option<String>,
    /// With --receive: the order's line the client names (its SKU).
    #[arg(long, requires = "order", value_name = "SKU")]
    line: Option<String>,
    /// With --receive: where the client asks the goods to go.
    #[arg(long, requires = "receive", value_name = "NAME")]
    location: Option<String>,
    /// With --receive: ask only what would be received (InvenTree's
    /// `auto_allocate: false`).
    #[arg(long, requires = "receive")]
    no_allocate: bool,
}

pub fn run(data_dir: &Path, place: &StorePlace, args: TryArgs) -> CliResult {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let config = parse_settings(&args.config)?;
    let grants: BTreeSet<Capability> = args.grants.iter().copied().collect();
    let trial = Trial::load(data_dir, place, &bytes, config, grants)?;
    let plugin = trial.plugin();
    let info = plugin.info();
    eprintln!(
        "Plugin {} {} ({}) by {}: {}",
        info.name, info.version, info.title, info.author, info.description
    );
    for warning in trial.warnings() {
        eprintln!("warning: {warning}");
    }
    if args.receive {
        return receive(&trial, &args);
    }
    let mut failed = false;
    for data in &args.data {
        let (verdict, requests) = wait(trial.scan(data));
        failed |= verdict.is_err();
        let answered = matches!(verdict, Ok(Verdict::Decoded(_) | Verdict::Rejected(_)));
        if answered && !plugin.may_claim(data) {
            eprintln!(
                "warning: it answers {data:?}, which none of its claim patterns matches: the \
                 server would never ask it about this data. Widen its claims (`CLAIMS` in \
                 Python and JavaScript, `const CLAIMS` in Rust) to cover everything it \
                 decodes or rejects"
            );
        }
        println!("{}", answer(data, plugin, verdict, &requests));
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Receives each of `args.data` as po-receive would, one line of JSON each.
fn receive(trial: &Trial, args: &TryArgs) -> CliResult {
    let plugin = trial.plugin();
    if !plugin.receives() {
        return Err(
            "it does not export `receiving`, so po-receive never asks it: build it on \
                    an SDK's supplier base (Python `SupplierBarcodeMixin`, JavaScript \
                    `SupplierBarcodePlugin`), or write a `scan_receive_item` method"
                .into(),
        );
    }
    let request = ReceiptRequest {
        order: args.order.clone(),
        line: args.line.clone(),
        location: args.location.clone(),
        auto_allocate: !args.no_allocate,
    };
    let mut failed = false;
    for data in &args.data {
        let (answer, requests) = wait(trial.receive(data, &request));
        failed |= answer.is_err();
        let mut line = match answer {
            Ok(None) => json!({"answer": "not-mine"}),
            Ok(Some(receipt)) => json!({
                "answer": match receipt.status {
                    ReceiptStatus::Received => "received",
                    ReceiptStatus::ActionRequired => "action-required",
                    ReceiptStatus::Refused => "refused",
                },
                "message": receipt.message,
                "line": receipt.line.map(|l| json!({
                    "order": l.order, "sku": l.sku, "quantity": l.quantity,
                    "location": l.location, "supplier_part": l.supplier_part,
                })),
                "fields": receipt
                    .fields
                    .into_iter()
                    .map(|(key, value)| (key, Value::from(value)))
                    .collect::<serde_json::Map<_, _>>(),
            }),
            Err(failure) => json!({"answer": "failed", "failure": failure.to_string()}),
        };
        asked(&mut line, data, plugin, &requests);
        println!("{line}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_settings(settings: &[String]) -> CliResult<BTreeMap<String, String>> {
    settings
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .ok_or_else(|| format!("{s:?} is not KEY=VALUE").into())
        })
        .collect()
}

/// One line of JSON: what the plugin answered for `data`, and what its
/// calls to the server asked for or were refused.
fn answer(
    data: &str,
    plugin: &Plugin,
    verdict: Result<Verdict, barcoded_sandbox::Failure>,
    requests: &Requests,
) -> Value {
    let mut line = match verdict {
        Ok(Verdict::NotMine) => json!({"answer": "not-mine"}),
        Ok(Verdict::Decoded(decode)) => {
            json!({"answer": "decoded", "result": crate::answer::DecodeResult(&decode)})
        }
        Ok(Verdict::Rejected(rejection)) => json!({
            "answer": "invalid", "format": rejection.format, "reason": rejection.reason,
        }),
        Err(failure) => json!({"answer": "failed", "failure": failure.to_string()}),
    };
    asked(&mut line, data, plugin, requests);
    line
}

/// Adds to an answer's `line` the data, the plugin, and what its calls to
/// the server asked for or were refused.
fn asked(line: &mut Value, data: &str, plugin: &Plugin, requests: &Requests) {
    line["data"] = Value::from(data);
    line["plugin"] = Value::from(plugin.info().name.as_str());
    line["stock_changes"] = json!(
        requests
            .booking
            .changes
            .iter()
            .map(|c| json!({"sku": c.sku, "location": c.location, "delta": c.delta, "reason": c.reason}))
            .collect::<Vec<_>>()
    );
    line["receipts"] = json!(
        requests
            .booking
            .receipts
            .iter()
            .map(|r| json!({"order": r.order, "sku": r.sku, "quantity": r.quantity, "location": r.location}))
            .collect::<Vec<_>>()
    );
    line["refused_calls"] = json!(requests.refused);
}
