//! The plain types of barcoded, with no I/O: catalog records and the rules
//! they must meet, API keys, installed plugins and their grants, stock and
//! purchase orders, and the scan history. Every other crate speaks them.

mod audit;
pub mod booking;
mod capability;
mod error;
mod hex;
mod history;
mod invalid;
mod keys;
mod label;
mod limits;
pub mod lookup_cache;
mod plugins;
mod records;
mod stock;
pub mod store;
pub mod transfer;
mod trust;

pub use audit::{
    AUDIT_MAX_EXAMINED, Admin, AuditEntry, AuditPage, AuditQuery, MAX_AUDIT_PAGE, Via,
};
pub use capability::Capability;
pub use hex::hex;
pub use history::{
    Actions, HISTORY_MAX_EXAMINED, HISTORY_MAX_PRUNED_FOR_AGE, HistoryEntry, HistoryPage,
    HistoryQuery, RefusedCall, Retention, ScanKind, ScanRecord, unix_millis,
};
pub use invalid::Invalid;
pub use keys::{ApiKey, Credentials, KEY_PREFIX, Role, StoredKey, key_name_taken, no_such_key};
pub use label::{barcode_hash, link_value};
pub use limits::{LimitOverrides, MAX_MEMORY_BYTES};
pub use plugins::{PluginInfo, PluginRecord, Quarantine, scan_order};
pub use records::{Barcode, Price, Product, SupplierPart};
pub use stock::{
    ALREADY_RECEIVED, Actor, Booking, MAX_LEVEL, MAX_LINE_LABELS, MAX_QUANTITY, Movement,
    OrderLine, PurchaseOrder, Receipt, ReceivedLine, StockChange,
};
pub use trust::{Trust, TrustedKey};
