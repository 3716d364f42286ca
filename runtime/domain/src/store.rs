//! What a storage backend does for the service, area by area. The redb
//! store (`barcoded-store`) implements these traits today; another backend
//! implements them to take its place.

use std::collections::BTreeMap;

use uuid::Uuid;

pub use crate::error::StoreError;
use crate::transfer::Record;
use crate::{
    Actions, Actor, ApiKey, AuditEntry, AuditPage, AuditQuery, Barcode, Booking, HistoryEntry,
    HistoryPage, HistoryQuery, Movement, PluginRecord, Product, PurchaseOrder, Quarantine,
    Retention, Role, ScanRecord, Trust, TrustedKey,
};

/// Free space below which the store's disk counts as full.
pub const MIN_FREE_BYTES: u64 = 4 << 20;

/// What the store can do now, as readiness reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreState {
    /// Reads and writes work.
    Ok,
    /// Reads work; the disk has less than [`MIN_FREE_BYTES`] free, so
    /// writes that need room fail.
    DiskFull,
    /// Reads work; writes fail (a failing disk).
    WritesFailing,
    /// Not even reads work.
    Unreadable,
}

impl StoreState {
    pub fn name(self) -> &'static str {
        match self {
            StoreState::Ok => "ok",
            StoreState::DiskFull => "disk-full",
            StoreState::WritesFailing => "writes-failing",
            StoreState::Unreadable => "unreadable",
        }
    }
}

/// The record a lookup picks among the active ones carrying the scanned
/// value: the one marked `isDefault`, then the one with the smallest
/// `quantity`, then by `uomCode`, then by `id`, so the same data always
/// gives the same answer.
pub fn resolution_order(a: &Barcode, b: &Barcode) -> std::cmp::Ordering {
    b.is_default
        .cmp(&a.is_default)
        .then(a.quantity.cmp(&b.quantity))
        .then_with(|| a.uom_code.cmp(&b.uom_code))
        .then(a.id.cmp(&b.id))
}

/// A resolved barcode and its product, if the catalog has one with that SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub barcode: Barcode,
    pub product: Option<Product>,
}

/// How many records the catalog holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogCounts {
    pub products: u64,
    pub barcodes: u64,
}

/// What linking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The link's record.
    pub barcode: Barcode,
    /// The value the product was linked to before, which no longer resolves.
    pub replaced: Option<String>,
}

/// The catalog: products and their barcode records, looked up as POS
/// clients and plugins ask.
pub trait CatalogStore {
    /// The active record for `code` (and `uom`, when given) with its product.
    fn lookup(&self, code: &str, uom: Option<&str>) -> Result<Option<Lookup>, StoreError>;

    /// Like [`CatalogStore::lookup`], but a 14-digit GTIN also finds a record stored
    /// in its 13-, 12- or 8-digit form: GTIN plugins answer with GTIN-14,
    /// while catalogs usually hold the code as printed.
    fn lookup_gtin(&self, code: &str, uom: Option<&str>) -> Result<Option<Lookup>, StoreError> {
        if let Some(found) = self.lookup(code, uom)? {
            return Ok(Some(found));
        }
        if code.len() != 14 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        for short in [13, 12, 8] {
            let (padding, rest) = code.split_at(14 - short);
            if padding.bytes().all(|b| b == b'0')
                && let Some(found) = self.lookup(rest, uom)?
            {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The product with `sku`, if any.
    fn product(&self, sku: &str) -> Result<Option<Product>, StoreError>;

    /// Products listing `part` among their supplier part numbers, in SKU
    /// order, at most `max`.
    fn products_by_supplier_part(&self, part: &str, max: usize)
    -> Result<Vec<Product>, StoreError>;

    fn barcode(&self, id: Uuid) -> Result<Option<Barcode>, StoreError>;

    /// Adds a new barcode record, refusing one whose (productSku,
    /// barcodeType, uomCode) another record already holds.
    fn add_barcode(&self, barcode: &Barcode) -> Result<(), StoreError>;

    /// Replaces the record with `barcode.id`, under the same uniqueness rule.
    fn update_barcode(&self, barcode: &Barcode) -> Result<(), StoreError>;

    /// Activates or deactivates a record; it takes effect for the next lookup.
    fn set_barcode_active(&self, id: Uuid, active: bool) -> Result<Barcode, StoreError>;

    /// Creates or replaces the product with `product.sku`.
    fn put_product(&self, product: &Product) -> Result<(), StoreError>;

    /// Writes a batch of validated records in one transaction: products by
    /// SKU, barcodes matched to existing records by (productSku, barcodeType,
    /// uomCode). A barcode's `id` is used only when it creates a record, so
    /// importing the same file twice changes nothing the second time.
    fn upsert_batch(&self, products: &[Product], barcodes: &[Barcode]) -> Result<(), StoreError>;

    /// Calls `f` with every product, in SKU order, inside one snapshot.
    fn for_each_product(&self, f: &mut dyn FnMut(Product)) -> Result<(), StoreError>;

    /// Calls `f` with the products after the SKU `after` (from the first
    /// when `None`), in SKU order, inside one snapshot, until it returns
    /// `false`.
    fn products_after(
        &self,
        after: Option<&str>,
        f: &mut dyn FnMut(Product) -> bool,
    ) -> Result<(), StoreError>;

    /// Every barcode record of the product `sku`, active or not, in
    /// (barcodeType, uomCode) order.
    fn barcodes_of(&self, sku: &str) -> Result<Vec<Barcode>, StoreError>;

    /// Calls `f` with every barcode record, in id order, inside one snapshot.
    fn for_each_barcode(&self, f: &mut dyn FnMut(Barcode)) -> Result<(), StoreError>;

    fn counts(&self) -> Result<CatalogCounts, StoreError>;
}

/// Barcodes linked to products: labels no plugin knows (a supplier's own, a
/// reused box) tied to a product, as InvenTree's `barcode/link/` ties one to
/// an item. A link is an ordinary barcode record of type `LINK`, unit `EA`,
/// quantity 1, so lookups and exports see it like any other; a product has
/// at most one.
pub trait LinkStore {
    /// The active link for `value`, with its product.
    fn linked(&self, value: &str) -> Result<Option<Lookup>, StoreError>;

    /// Links `value` to the product `sku`, replacing the product's earlier
    /// link. Refused when the product does not exist, or when an active
    /// record other than this very link carries `value`: a link never
    /// shadows a record, and the refusal names the one it would shadow.
    fn link(&self, value: &str, sku: &str) -> Result<Linked, StoreError>;

    /// Removes the product's link; returns it, or `None` when it had none.
    fn unlink(&self, sku: &str) -> Result<Option<Barcode>, StoreError>;

    /// Every link, active or not, in record id order. Reads every barcode
    /// record: an operator's listing, not a hot path.
    fn links(&self) -> Result<Vec<Barcode>, StoreError>;
}

/// The barcode type of every link record.
pub const LINK_TYPE: &str = "LINK";

/// The unit of every link record.
pub const LINK_UOM: &str = "EA";

/// The record linking `value` to the product `sku`, as record `id`.
pub fn link_record(id: Uuid, value: &str, sku: &str) -> Barcode {
    Barcode {
        id,
        barcode: value.to_owned(),
        barcode_type: LINK_TYPE.to_owned(),
        format: "linked".to_owned(),
        product_sku: sku.to_owned(),
        uom_code: LINK_UOM.to_owned(),
        quantity: 1,
        is_default: false,
        is_active: true,
    }
}

/// The refusal of a link of `value` to `sku` that would shadow `other`, an
/// active record already carrying `value`.
pub fn link_shadows(value: &str, sku: &str, other: &Barcode) -> StoreError {
    StoreError::Refused(format!(
        "{value:?} already resolves to product {} through barcode record {}; deactivate that \
         record first if the label should now mean {sku}",
        other.product_sku,
        other.describe()
    ))
}

/// API keys: created, listed, revoked, and checked on every request.
pub trait KeyStore {
    /// Creates a key named `name` and returns its secret: the only time the
    /// secret exists outside the client. Refuses a name already in use.
    fn create_key(&self, name: &str, role: Role) -> Result<String, StoreError>;

    /// Every key, by name.
    fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError>;

    /// Deletes the key named `name`; requests using it fail from then on.
    fn revoke_key(&self, name: &str) -> Result<(), StoreError>;

    /// The key whose secret is `secret`, if any. Every stored digest is
    /// compared, each in constant time, so timing tells nothing about how
    /// much of a guess was right.
    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError>;
}

/// Installed plugins: their records and components, the generation a
/// server polls to reload, scan counts, and compiled-code digests.
pub trait PluginStore {
    /// The registry's generation: it changes whenever a plugin does.
    fn plugins_generation(&self) -> Result<u64, StoreError>;

    /// Every installed plugin, by name.
    fn plugins(&self) -> Result<Vec<PluginRecord>, StoreError>;

    fn plugin(&self, name: &str) -> Result<Option<PluginRecord>, StoreError>;

    /// Writes `record` under its name, replacing any earlier one.
    fn put_plugin(&self, record: &PluginRecord) -> Result<(), StoreError>;

    /// Changes the record named `name` with `f`; `NotFound` if there is none.
    fn update_plugin(
        &self,
        name: &str,
        f: &mut dyn FnMut(&mut PluginRecord),
    ) -> Result<PluginRecord, StoreError>;

    /// Removes the plugin named `name`, its quarantine and its counters.
    fn remove_plugin(&self, name: &str) -> Result<PluginRecord, StoreError>;

    /// Adds scan and failure counts to each named plugin's totals.
    fn add_plugin_stats(&self, deltas: &[(String, u64, u64)]) -> Result<(), StoreError>;

    /// (scans, failures) per plugin name.
    fn plugin_stats(&self) -> Result<BTreeMap<String, (u64, u64)>, StoreError>;

    /// The recorded SHA-256 of the code-cache file `file_name`.
    fn code_cache_digest(&self, file_name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    fn record_code_cache_digest(&self, file_name: &str, digest: &[u8]) -> Result<(), StoreError>;

    /// Keeps a component's bytes under `digest` (their hex SHA-256), where
    /// every server on this store can load them. Writing the same digest
    /// again is harmless.
    fn put_component(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError>;

    /// The component with `digest`, if it is kept. The caller checks the
    /// bytes against the digest.
    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// Plugins quarantined for failing scan after scan.
pub trait QuarantineStore {
    fn quarantine_plugin(&self, name: &str, reason: &str) -> Result<(), StoreError>;

    /// Takes `name` out of quarantine; false if it was not in it.
    fn release_plugin(&self, name: &str) -> Result<bool, StoreError>;

    fn quarantined_plugins(&self) -> Result<BTreeMap<String, Quarantine>, StoreError>;
}

/// Stock on hand, its movement log, and purchase orders.
pub trait StockStore {
    /// Checks `booking` against the catalog and the orders as they are now,
    /// without writing anything.
    fn check_booking(&self, booking: &Booking) -> Result<(), StoreError>;

    /// Books an operator's `booking` on its own.
    fn book(&self, booking: &Booking, actor: &Actor) -> Result<Actions, StoreError>;

    /// The on-hand quantity of `sku` at `location`.
    fn stock_level(&self, sku: &str, location: &str) -> Result<i64, StoreError>;

    /// (SKU, location, level) for every pair stock has moved at, of one SKU
    /// or of all, in that order.
    fn stock_levels(&self, sku: Option<&str>) -> Result<Vec<(String, String, i64)>, StoreError>;

    /// The newest `limit` movements, of one SKU or of all, newest first.
    fn movements(&self, sku: Option<&str>, limit: usize) -> Result<Vec<Movement>, StoreError>;

    /// Creates a purchase order; its number must be new.
    fn add_order(&self, order: &PurchaseOrder) -> Result<(), StoreError>;

    fn order(&self, number: &str) -> Result<Option<PurchaseOrder>, StoreError>;

    /// Every purchase order, by number.
    fn orders(&self) -> Result<Vec<PurchaseOrder>, StoreError>;

    /// The orders whose supplier reference is `reference`, by number, at
    /// most `max`. Reads every order: they are few, and only receipts ask.
    fn orders_by_supplier_reference(
        &self,
        reference: &str,
        max: usize,
    ) -> Result<Vec<PurchaseOrder>, StoreError> {
        let mut orders = self.orders()?;
        orders.retain(|order| order.supplier_reference.as_deref() == Some(reference));
        orders.truncate(max);
        Ok(orders)
    }

    /// The order and line (its SKU) the label hashed `label` was received
    /// against, if any. Reads every order, as above.
    fn received_label(&self, label: &str) -> Result<Option<(String, String)>, StoreError> {
        Ok(self.orders()?.into_iter().find_map(|order| {
            let line = order
                .lines
                .iter()
                .find(|l| l.labels.iter().any(|h| h == label))?;
            Some((order.number.clone(), line.sku.clone()))
        }))
    }
}

/// The scan history, written with what each scan booked.
pub trait HistoryStore {
    /// Writes `records` in one transaction: each gets the next id, its
    /// booking is made (or refused whole, which its entry then says), and
    /// history beyond `retention` is pruned. Returns the entries as written.
    fn record_scans(
        &self,
        records: Vec<ScanRecord>,
        retention: Retention,
    ) -> Result<Vec<HistoryEntry>, StoreError>;

    /// A page of the history, newest first.
    fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError>;
}

/// The publishers trusted to sign plugins, and the policy. Every change
/// moves the plugins' generation on, so that servers reload and apply it.
pub trait TrustStore {
    fn trust(&self) -> Result<Trust, StoreError>;

    /// Adds `key`; refused when its name or its key is trusted already.
    fn add_trusted_key(&self, key: &TrustedKey) -> Result<(), StoreError>;

    /// Removes the key named `name` and answers it; `NotFound` when none is.
    fn remove_trusted_key(&self, name: &str) -> Result<TrustedKey, StoreError>;

    /// Makes every plugin need a trusted signature (`true`), or not.
    fn set_require_signed(&self, on: bool) -> Result<(), StoreError>;
}

/// The audit trail of administrative changes.
pub trait AuditStore {
    /// Appends `entry` with the next id and the time now; returns it as written.
    fn record_audit(&self, entry: &AuditEntry) -> Result<AuditEntry, StoreError>;

    /// A page of the trail, newest first.
    fn audit(&self, query: &AuditQuery) -> Result<AuditPage, StoreError>;
}

/// Every record at once, for moving a store to another backend.
pub trait TransferStore {
    /// Calls `f` with every record, in [`crate::transfer::Record`]'s order,
    /// inside one snapshot; stops at the first error `f` returns.
    fn export_records(
        &self,
        f: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Writes `records` as they are, ids and counts included, in one
    /// transaction. Meant for a store [`TransferStore::is_empty`] said was
    /// empty: records already there with the same key are replaced.
    fn import_records(&self, records: &[Record]) -> Result<(), StoreError>;

    /// Whether the store holds no record of any kind.
    fn is_empty(&self) -> Result<bool, StoreError>;
}

/// Everything the service stores, in one backend.
pub trait Storage:
    CatalogStore
    + LinkStore
    + KeyStore
    + PluginStore
    + QuarantineStore
    + StockStore
    + HistoryStore
    + AuditStore
    + TrustStore
    + TransferStore
    + Send
    + Sync
{
    /// What the store can do now, as readiness reports it.
    fn state(&self) -> StoreState;

    /// How many bytes the store takes on disk, when it can tell.
    fn size_bytes(&self) -> Option<u64>;

    /// Whether a read may wait on something beyond this process's memory
    /// and files, such as a database server across the network. Callers
    /// in async code then run reads, as they run every write, where a
    /// thread may block. Writes may always wait (for another writer).
    fn reads_wait(&self) -> bool;

    /// The reads every request makes, awaited in place rather than on a
    /// thread of their own, from a store whose reads wait on a server and
    /// that can answer them asynchronously. `None`: use the calls above.
    fn async_reads(&self) -> Option<&dyn AsyncReads> {
        None
    }
}

/// What one of [`AsyncReads`]' reads answers, once it has.
pub type Pending<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The hot reads (a request's key, a lookup) as futures, so that a server
/// waiting for its database holds no thread: the same answers as
/// [`KeyStore::authenticate`] and [`CatalogStore::lookup`].
pub trait AsyncReads: Send + Sync {
    /// As [`KeyStore::authenticate`].
    fn authenticate<'a>(&'a self, secret: &'a str) -> Pending<'a, Option<ApiKey>>;

    /// As [`CatalogStore::lookup`].
    fn lookup<'a>(&'a self, code: &'a str, uom: Option<&'a str>) -> Pending<'a, Option<Lookup>>;
}
