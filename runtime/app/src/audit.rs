//! What each administrative change writes to the audit trail: its operation,
//! target and a few words of detail (setting names, never their values,
//! which may be a supplier's API token).

use std::collections::BTreeSet;

use barcoded_domain::store::Storage;
use barcoded_domain::{Admin, AuditEntry, Capability, PluginRecord, PurchaseOrder, StockChange};

use crate::import::Imported;
use crate::plugins::{Change, Changed};

/// Appends a change `by` made to the trail. The change is already made, so
/// a trail that cannot be written is logged as an error rather than undoing
/// or hiding it.
pub(crate) fn record(store: &dyn Storage, by: &Admin, operation: &str, target: &str, detail: &str) {
    let entry = AuditEntry::new(by, operation, target, detail);
    if let Err(error) = store.record_audit(&entry) {
        tracing::error!(
            "the audit trail missed {operation} of {target:?} by {:?}: {error}",
            by.name
        );
    }
}

/// The operation and detail of a change to a plugin.
pub(crate) fn plugin_change(change: &Change, changed: &Changed) -> (&'static str, String) {
    match change {
        Change::Enable if changed.released => ("plugin.enable", "quarantine lifted".into()),
        Change::Enable => ("plugin.enable", String::new()),
        Change::Disable => ("plugin.disable", String::new()),
        Change::Priority(priority) => ("plugin.priority", priority.to_string()),
        Change::Config(settings) => (
            "plugin.settings",
            format!("replaced by {}", names(settings.keys())),
        ),
        Change::EditConfig { set, unset } => {
            let mut detail = Vec::new();
            if !set.is_empty() {
                detail.push(format!("set {}", names(set.iter().map(|(name, _)| name))));
            }
            if !unset.is_empty() {
                detail.push(format!("unset {}", names(unset)));
            }
            ("plugin.settings", detail.join("; "))
        }
        Change::Limits(limits) => (
            "plugin.limits",
            serde_json::to_string(limits).unwrap_or_default(),
        ),
        Change::Grants(grants) => ("plugin.grants", capabilities(grants)),
        Change::Grant(grants) => ("plugin.grant", capabilities(grants)),
        Change::Revoke(grants) => ("plugin.revoke", capabilities(grants)),
    }
}

/// Records an install (`plugin.install`) or upgrade (`plugin.upgrade`) of `record`.
pub(crate) fn installed(store: &dyn Storage, by: &Admin, operation: &str, record: &PluginRecord) {
    let detail = format!(
        "{} {}, priority {}, sha256 {}",
        record.info.name, record.info.version, record.priority, record.digest
    );
    self::record(store, by, operation, &record.name, &detail);
}

pub(crate) fn stock_change(change: &StockChange) -> String {
    format!(
        "{:+} at {}: {}",
        change.delta, change.location, change.reason
    )
}

pub(crate) fn order(order: &PurchaseOrder) -> String {
    format!("{} lines", order.lines.len())
}

pub(crate) fn import(imported: &Imported) -> String {
    format!(
        "{} products, {} barcode records",
        imported.products, imported.barcodes
    )
}

fn capabilities(grants: &BTreeSet<Capability>) -> String {
    names(grants.iter().map(|grant| grant.name()))
}

fn names<T: AsRef<str>>(names: impl IntoIterator<Item = T>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
    if names.is_empty() {
        "nothing".into()
    } else {
        names.join(", ")
    }
}
