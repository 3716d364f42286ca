//! The audit trail: who changed what, for every administrative change
//! (keys, plugins and their grants, limits and priorities, links, the
//! catalog, stock and orders), newest first.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The HTTP API (and the console), with an API key.
    Api,
    /// The command line, on the machine of the store.
    Cli,
}

/// Who makes a change: an API key by name, or a user of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    pub via: Via,
    /// The key's name; on the command line, the operating system's user.
    pub name: String,
}

impl Admin {
    /// The holder of the key named `name`.
    pub fn key(name: &str) -> Admin {
        Admin {
            via: Via::Api,
            name: name.to_owned(),
        }
    }

    /// The user running this command line (`$USER`, else `uid N`).
    pub fn command_line() -> Admin {
        let user = std::env::var("USER")
            .ok()
            .filter(|user| !user.is_empty())
            .unwrap_or_else(|| "unknown".into());
        Admin {
            via: Via::Cli,
            name: user.chars().take(MAX_FIELD_CHARS).collect(),
        }
    }
}

/// Longest actor, target or detail kept, in characters.
pub const MAX_FIELD_CHARS: usize = 512;

/// Most entries one audit query answers.
pub const MAX_AUDIT_PAGE: usize = 1_000;

/// One administrative change, as the trail keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Sequence number: later changes have higher ones.
    pub id: u64,
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    pub via: Via,
    /// The key's name (via the API) or the user's (via the command line).
    pub actor: String,
    /// What was done, such as `key.create` or `plugin.grant`.
    pub operation: String,
    /// What it was done to: a key, a plugin, a SKU, an order.
    pub target: String,
    /// The change itself, in a few words (never a secret).
    pub detail: String,
}

impl AuditEntry {
    /// A change by `by`; its `id` and `time` are set when it is written.
    pub fn new(by: &Admin, operation: &str, target: &str, detail: &str) -> AuditEntry {
        let bounded = |text: &str| text.chars().take(MAX_FIELD_CHARS).collect::<String>();
        AuditEntry {
            id: 0,
            time: String::new(),
            via: by.via,
            actor: bounded(&by.name),
            operation: operation.to_owned(),
            target: bounded(target),
            detail: bounded(detail),
        }
    }
}

/// Which entries an audit query wants, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries older than this id (the cursor of the previous page).
    pub before: Option<u64>,
    pub limit: usize,
    pub actor: Option<String>,
    /// An operation (`plugin.grant`) or its kind (`plugin`).
    pub operation: Option<String>,
    pub target: Option<String>,
}

impl AuditQuery {
    /// Whether `entry` is one this query wants.
    pub fn wants(&self, entry: &AuditEntry) -> bool {
        let operation = |wanted: &String| {
            entry.operation == *wanted
                || entry
                    .operation
                    .strip_prefix(wanted.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        self.actor
            .as_ref()
            .is_none_or(|actor| *actor == entry.actor)
            && self
                .target
                .as_ref()
                .is_none_or(|target| *target == entry.target)
            && self.operation.as_ref().is_none_or(operation)
    }

    /// Checks the page size.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.limit == 0 || self.limit > MAX_AUDIT_PAGE {
            return Err(Invalid(format!(
                "limit must be 1 to {MAX_AUDIT_PAGE}, not {}",
                self.limit
            )));
        }
        Ok(())
    }
}

/// A page of the trail, and the cursor for the next one when there may be more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<u64>,
}

/// Most entries one audit query reads before it returns a page, full or
/// not, with a cursor to go on from.
pub const AUDIT_MAX_EXAMINED: usize = 20_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_filter_takes_the_operation_or_its_kind() {
        let entry = AuditEntry::new(&Admin::key("ops"), "plugin.grant", "kanban", "stock-write");
        let query = |operation: &str| AuditQuery {
            operation: Some(operation.into()),
            limit: 10,
            ..AuditQuery::default()
        };
        assert!(query("plugin.grant").wants(&entry));
        assert!(query("plugin").wants(&entry));
        assert!(!query("plug").wants(&entry));
        assert!(!query("plugin.grant-more").wants(&entry));
        assert!(!query("key").wants(&entry));
    }

    #[test]
    fn fields_are_bounded() {
        let long = "x".repeat(MAX_FIELD_CHARS * 2);
        let entry = AuditEntry::new(&Admin::key(&long), "catalog.import", &long, &long);
        assert_eq!(entry.actor.chars().count(), MAX_FIELD_CHARS);
        assert_eq!(entry.target.chars().count(), MAX_FIELD_CHARS);
        assert_eq!(entry.detail.chars().count(), MAX_FIELD_CHARS);
    }
}
