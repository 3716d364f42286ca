//! A fake server for native unit tests of a plugin (`cargo test`): the
//! SDK's calls to `config`, `catalog`, `stock` and `purchasing` reach the
//! [`FakeHost`] that [`FakeHost::run`] installs, and refuse calls the way the
//! server does.
//!
//! ```
//! use barcode_plugin_sdk::testing::FakeHost;
//!
//! let (site, _host) = FakeHost::new()
//!     .config("site", "north")
//!     .run(|| barcode_plugin_sdk::config("site"));
//! assert_eq!(site.as_deref(), Some("north"));
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::HostError;
use crate::catalog::{BarcodeMatch, Product};
use crate::purchasing::{OrderLine, PurchaseOrder};

/// Every capability, which a [`FakeHost`] grants unless told otherwise.
pub const ALL: [&str; 4] = ["catalog-read", "stock-read", "stock-write", "po-receive"];

/// What the fake server holds, and what the plugin asked of it.
#[derive(Debug, Clone, Default)]
pub struct FakeHost {
    /// The plugin's settings, as `config` reads them.
    pub config: BTreeMap<String, String>,
    /// The catalog's products.
    pub products: Vec<Product>,
    /// The catalog's barcode records, as `catalog::by_barcode` finds them.
    pub barcodes: Vec<BarcodeMatch>,
    /// On-hand quantities by (SKU, location).
    pub stock: BTreeMap<(String, String), i64>,
    /// Purchase orders, whose lines receipts count into.
    pub orders: Vec<PurchaseOrder>,
    /// The capabilities granted, such as `catalog-read`.
    pub grants: BTreeSet<String>,
    /// `stock::adjust` calls that were carried out: (SKU, location, delta, reason).
    pub adjustments: Vec<(String, String, i64, String)>,
    /// Receipts that were carried out: (order, SKU, quantity, location).
    pub receipts: Vec<(String, String, u32, String)>,
}

thread_local! {
    static HOST: RefCell<Option<FakeHost>> = const { RefCell::new(None) };
}

/// Runs `call` on the installed fake host; without one, the call is
/// unavailable, as it is to a plugin's `info`.
pub(crate) fn with_host<T>(
    call: impl FnOnce(&mut FakeHost) -> Result<T, HostError>,
) -> Result<T, HostError> {
    HOST.with(|cell| match cell.borrow_mut().as_mut() {
        Some(host) => call(host),
        None => Err(HostError::Unavailable(
            "no host: in a native test, call the plugin inside FakeHost::run".into(),
        )),
    })
}

impl FakeHost {
    /// A host with nothing in it that grants every capability.
    pub fn new() -> FakeHost {
        FakeHost {
            grants: ALL.iter().map(|c| c.to_string()).collect(),
            ..FakeHost::default()
        }
    }

    /// Sets one of the plugin's settings.
    pub fn config(mut self, key: &str, value: &str) -> FakeHost {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Adds a product to the catalog.
    pub fn product(mut self, product: Product) -> FakeHost {
        self.products.push(product);
        self
    }

    /// Adds a purchase order.
    pub fn purchase_order(mut self, order: PurchaseOrder) -> FakeHost {
        self.orders.push(order);
        self
    }

    /// Grants only these capabilities.
    pub fn grants(mut self, grants: &[&str]) -> FakeHost {
        self.grants = grants.iter().map(|c| c.to_string()).collect();
        self
    }

    /// Runs `f` with this host answering the plugin's calls, and returns
    /// what `f` returned and the host as the calls left it.
    pub fn run<T>(self, f: impl FnOnce() -> T) -> (T, FakeHost) {
        HOST.with(|cell| *cell.borrow_mut() = Some(self));
        let answer = f();
        let host = HOST
            .with(|cell| cell.borrow_mut().take())
            .unwrap_or_default();
        (answer, host)
    }

    fn need(&self, capability: &str) -> Result<(), HostError> {
        if self.grants.contains(capability) {
            Ok(())
        } else {
            Err(HostError::NotGranted(format!("needs {capability}")))
        }
    }

    pub(crate) fn by_barcode(&mut self, code: &str) -> Result<Option<BarcodeMatch>, HostError> {
        self.need("catalog-read")?;
        Ok(self
            .barcodes
            .iter()
            .find(|m| m.barcode.barcode == code)
            .cloned())
    }

    pub(crate) fn by_sku(&mut self, sku: &str) -> Result<Option<Product>, HostError> {
        self.need("catalog-read")?;
        Ok(self.products.iter().find(|p| p.sku == sku).cloned())
    }

    pub(crate) fn by_supplier_part(&mut self, part: &str) -> Result<Vec<Product>, HostError> {
        self.need("catalog-read")?;
        let mut found: Vec<Product> = (self.products.iter())
            .filter(|p| p.supplier_parts.iter().any(|s| s.part == part))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.sku.cmp(&b.sku));
        found.truncate(16);
        Ok(found)
    }

    pub(crate) fn level(&mut self, sku: &str, location: &str) -> Result<i64, HostError> {
        self.need("stock-read")?;
        let key = (sku.to_owned(), location.to_owned());
        Ok(self.stock.get(&key).copied().unwrap_or(0))
    }

    pub(crate) fn adjust(
        &mut self,
        sku: &str,
        location: &str,
        delta: i64,
        reason: &str,
    ) -> Result<(), HostError> {
        self.need("stock-write")?;
        if !self.products.iter().any(|p| p.sku == sku) {
            return Err(HostError::Refused(format!("no product with SKU {sku}")));
        }
        let key = (sku.to_owned(), location.to_owned());
        *self.stock.entry(key).or_insert(0) += delta;
        (self.adjustments).push((sku.into(), location.into(), delta, reason.into()));
        Ok(())
    }

    pub(crate) fn receive(
        &mut self,
        order: &str,
        sku: &str,
        quantity: u32,
        location: Option<&str>,
    ) -> Result<OrderLine, HostError> {
        self.need("po-receive")?;
        let found = self.orders.iter_mut().find(|o| o.number == order);
        let Some((line, into)) = found.and_then(|o| {
            let into = location.unwrap_or(&o.location).to_owned();
            o.lines.iter_mut().find(|l| l.sku == sku).map(|l| (l, into))
        }) else {
            return Err(HostError::Refused(format!(
                "purchase order {order} has no line for SKU {sku}"
            )));
        };
        let total = line.received.saturating_add(quantity);
        if total > line.ordered {
            return Err(HostError::Refused(format!(
                "receiving {quantity} of SKU {sku} against purchase order {order} would make \
                 {total} received of {} ordered",
                line.ordered
            )));
        }
        line.received = total;
        let line = line.clone();
        (self.receipts).push((order.into(), sku.into(), quantity, into));
        Ok(line)
    }

    pub(crate) fn order_numbered(
        &mut self,
        number: &str,
    ) -> Result<Option<PurchaseOrder>, HostError> {
        self.need("catalog-read")?;
        Ok(self.orders.iter().find(|o| o.number == number).cloned())
    }

    pub(crate) fn orders_by_supplier_reference(
        &mut self,
        reference: &str,
    ) -> Result<Vec<PurchaseOrder>, HostError> {
        self.need("catalog-read")?;
        let mut found: Vec<PurchaseOrder> = (self.orders.iter())
            .filter(|o| o.supplier_reference.as_deref() == Some(reference))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.number.cmp(&b.number));
        found.truncate(16);
        Ok(found)
    }
}
