//! What a backup or restore reports of each table it copied.

/// One table as copied: its name, its rows, and the SHA-256 of its keys and
/// values in order, so that two copies can be compared record for record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    pub sha256: String,
}
