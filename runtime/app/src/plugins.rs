//! Plugin administration: what `barcoded plugin` and `/api/admin/plugins`
//! both do to installed plugins, written once.
//!
//! Installing is the [`Registry`](crate::Registry)'s job, since it compiles
//! the component; everything else here only changes records, and a running
//! server picks the change up within its reload poll.

use std::collections::{BTreeMap, BTreeSet};

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{Capability, LimitOverrides, PluginRecord, Quarantine, scan_order};
use serde::Serialize;

/// One installed plugin as an operator sees it: its record, how often it
/// ran and failed, and its quarantine if it is in one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginStatus {
    pub plugin: PluginRecord,
    pub scans: u64,
    pub failures: u64,
    pub quarantine: Option<Quarantine>,
}

impl PluginStatus {
    /// What its imports need that it has not been granted.
    pub fn missing_grants(&self) -> BTreeSet<Capability> {
        missing_grants(&self.plugin)
    }
}

/// What its imports need that `record` has not been granted.
pub fn missing_grants(record: &PluginRecord) -> BTreeSet<Capability> {
    record.asks.difference(&record.grants).copied().collect()
}

/// A change an operator makes to one installed plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Enable it, and lift its quarantine.
    Enable,
    Disable,
    Priority(i32),
    /// Replace every setting.
    Config(BTreeMap<String, String>),
    /// Set some settings and remove others, keeping the rest.
    EditConfig {
        set: Vec<(String, String)>,
        unset: Vec<String>,
    },
    /// Replace every limit override; checked first.
    Limits(LimitOverrides),
    /// Replace every grant.
    Grants(BTreeSet<Capability>),
    Grant(BTreeSet<Capability>),
    Revoke(BTreeSet<Capability>),
}

/// What a change left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub plugin: PluginRecord,
    /// Enabling it lifted a quarantine.
    pub released: bool,
}

/// Every installed plugin, in the order a scan asks them.
pub(crate) fn list(store: &dyn Storage) -> Result<Vec<PluginStatus>, StoreError> {
    let mut records = store.plugins()?;
    records.sort_by(|a, b| scan_order(a.priority, &a.name).cmp(&scan_order(b.priority, &b.name)));
    let stats = store.plugin_stats()?;
    let mut quarantined = store.quarantined_plugins()?;
    Ok(records
        .into_iter()
        .map(|record| status(record, &stats, &mut quarantined))
        .collect())
}

/// The plugin installed as `name`.
pub(crate) fn get(store: &dyn Storage, name: &str) -> Result<PluginStatus, StoreError> {
    let record = store.plugin(name)?.ok_or_else(|| not_installed(name))?;
    let stats = store.plugin_stats()?;
    let mut quarantined = store.quarantined_plugins()?;
    Ok(status(record, &stats, &mut quarantined))
}

/// Applies `change` to the plugin installed as `name`.
pub(crate) fn change(
    store: &dyn Storage,
    name: &str,
    change: Change,
) -> Result<Changed, StoreError> {
    if let Change::Limits(limits) = &change {
        limits.validate()?;
    }
    let enable = change == Change::Enable;
    let mut change = Some(change);
    let plugin = store.update_plugin(name, &mut |record| {
        if let Some(change) = change.take() {
            apply(record, change);
        }
    })?;
    let released = enable && store.release_plugin(name)?;
    Ok(Changed { plugin, released })
}

fn apply(record: &mut PluginRecord, change: Change) {
    match change {
        Change::Enable => record.enabled = true,
        Change::Disable => record.enabled = false,
        Change::Priority(priority) => record.priority = priority,
        Change::Config(config) => record.config = config,
        Change::EditConfig { set, unset } => {
            record.config.extend(set);
            for key in &unset {
                record.config.remove(key);
            }
        }
        Change::Limits(limits) => record.limits = limits,
        Change::Grants(grants) => record.grants = grants,
        Change::Grant(grants) => record.grants.extend(grants),
        Change::Revoke(grants) => record.grants.retain(|c| !grants.contains(c)),
    }
}

fn status(
    plugin: PluginRecord,
    stats: &BTreeMap<String, (u64, u64)>,
    quarantined: &mut BTreeMap<String, Quarantine>,
) -> PluginStatus {
    let (scans, failures) = stats.get(&plugin.name).copied().unwrap_or_default();
    PluginStatus {
        quarantine: quarantined.remove(&plugin.name),
        plugin,
        scans,
        failures,
    }
}

fn not_installed(name: &str) -> StoreError {
    StoreError::NotFound(format!(
        "no plugin named {name:?} is installed; `barcoded plugin list` shows those that are"
    ))
}
