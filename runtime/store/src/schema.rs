//! The tables of the store. Records are JSON-encoded values, so a record can
//! gain optional fields without a migration.

use redb::{MultimapTableDefinition, TableDefinition};

/// Products by SKU.
pub const PRODUCTS: TableDefinition<&str, &[u8]> = TableDefinition::new("products");

/// Barcode records by id (a UUID as u128).
pub const BARCODES: TableDefinition<u128, &[u8]> = TableDefinition::new("barcodes");

/// Index: a scanned value to the ids of every record carrying it.
pub const BARCODES_BY_VALUE: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("barcodes_by_value");

/// Uniqueness: (productSku, barcodeType, uomCode) to the one record holding it.
pub const BARCODES_BY_PACK: TableDefinition<(&str, &str, &str), u128> =
    TableDefinition::new("barcodes_by_pack");

/// Index: a supplier part number to the SKUs of the products listing it.
pub const SUPPLIER_PARTS: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("supplier_parts");

/// API keys by name. Only a key's SHA-256 digest is stored, never the key.
pub const API_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("api_keys");

/// Plugins taken out of the scan chain after failing too often, by name.
pub const QUARANTINE: TableDefinition<&str, &[u8]> = TableDefinition::new("plugin_quarantine");

/// Installed plugins by name: what to load and how (see `PluginRecord`).
pub const PLUGINS: TableDefinition<&str, &[u8]> = TableDefinition::new("plugins");

/// Counters by name. `plugins` counts every change to the plugin table, so a
/// running server can tell cheaply that it must reload; `catalog` (see
/// [`CATALOG_GENERATION`]) every transaction that wrote the catalog; `scans` and
/// `movements` hand out sequence numbers; `write-probe` is written by a
/// readiness check after a failed write, to see whether writes work again.
pub const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");

/// The counter raised by every transaction that writes products or barcode
/// records: a lookup cache keeps answers only while it is unchanged.
pub const CATALOG_GENERATION: &str = "catalog";

/// Scans and failures per plugin name, as (scans, failures), summed over the
/// server's lifetimes.
pub const PLUGIN_STATS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("plugin_stats");

/// The SHA-256 of each compiled-code cache file this service wrote, by file
/// name. A cache file whose bytes do not match is never loaded.
pub const CODE_CACHE: TableDefinition<&str, &[u8]> = TableDefinition::new("code_cache");

/// On-hand quantity by (SKU, location). A pair no movement has touched
/// holds 0 and has no row.
pub const STOCK: TableDefinition<(&str, &str), i64> = TableDefinition::new("stock");

/// Every change of stock, by sequence number (see `Movement`).
pub const STOCK_MOVEMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("stock_movements");

/// Purchase orders by number (see `PurchaseOrder`).
pub const PURCHASE_ORDERS: TableDefinition<&str, &[u8]> = TableDefinition::new("purchase_orders");

/// Scans by sequence number, as (Unix milliseconds, `HistoryEntry`); pruned
/// by age and count.
pub const SCAN_HISTORY: TableDefinition<u64, (u64, &[u8])> = TableDefinition::new("scan_history");

/// Administrative changes by sequence number (see `AuditEntry`); never pruned.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

/// Publishers trusted to sign plugins, by name (see `TrustedKey`).
pub const TRUSTED_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("trusted_keys");

/// Store-wide settings by name: `require_signed` ("true" or "false").
pub const SETTINGS: TableDefinition<&str, &str> = TableDefinition::new("settings");
