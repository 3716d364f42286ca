//! Installed plugins as the store keeps them: what they are, how the
//! operator set them up, and why one is quarantined.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::capability::Capability;
use crate::limits::LimitOverrides;

/// A plugin's own description of itself, from its `info` export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    pub name: String,
    pub title: String,
    pub description: String,
    pub version: String,
    pub author: String,
}

/// An installed plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginRecord {
    pub name: String,
    /// Hex SHA-256 of the component's bytes; also its file name.
    pub digest: String,
    pub size: u64,
    /// Lower is asked first; ties go by name.
    pub priority: i32,
    pub enabled: bool,
    /// RFC 3339, UTC: when these bytes were installed under this name.
    pub installed: String,
    pub info: PluginInfo,
    #[serde(default)]
    pub limits: LimitOverrides,
    /// Key/value settings the plugin reads through the `config` interface.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// The store calls the operator allows it.
    #[serde(default)]
    pub grants: BTreeSet<Capability>,
    /// The capabilities its imports need, as found at install.
    #[serde(default)]
    pub asks: BTreeSet<Capability>,
    /// The trusted publisher whose signature it carried when installed.
    #[serde(default)]
    pub signer: Option<String>,
    /// The patterns of data it declares it may claim (its `claims` export),
    /// as found at install; `None`: it is asked about every scan.
    #[serde(default)]
    pub claims: Option<Vec<String>>,
}

/// Why and since when a plugin is quarantined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantine {
    /// RFC 3339, UTC.
    pub since: String,
    pub reason: String,
}

/// The key plugins are asked in: lower priority first, ties by name.
pub fn scan_order(priority: i32, name: &str) -> (i32, &str) {
    (priority, name)
}
