//! The back office: every operation on the store's records that runs no
//! plugin (keys, lookups, links, stock and orders, the scan history, plugin
//! records), async, each run where the store may block (see [`Backend`]).

use std::io::{Read, Write};

use barcoded_domain::store::{CatalogCounts, Lookup, StoreError};
use barcoded_domain::{
    Actions, Actor, Admin, ApiKey, AuditPage, AuditQuery, Barcode, Booking, HistoryPage,
    HistoryQuery, Movement, PluginRecord, Product, PurchaseOrder, Receipt, Role, StockChange,
    Trust, TrustedKey,
};
use uuid::Uuid;

use crate::audit;
use crate::backend::Backend;
use crate::catalog::{self, Page};
use crate::import::{self, ExportError, Format, ImportError, Imported};
use crate::place::StorePlace;
use crate::plugins::{self, Change, Changed, PluginStatus};
use crate::signing;

/// The store's records, as the edges may reach them.
#[derive(Clone)]
pub struct Office {
    backend: Backend,
}

/// The stock on hand everywhere, or of one product, and its latest moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockOverview {
    /// `(sku, location, level)`, at most the `max_levels` asked for.
    pub levels: Vec<(String, String, i64)>,
    /// More levels exist than were answered.
    pub more_levels: bool,
    pub movements: Vec<Movement>,
}

/// Units of a product to move between two locations, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub sku: String,
    pub from: String,
    pub to: String,
    pub quantity: u32,
    pub reason: String,
}

/// Why an API key could not be created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The name breaks the key-name rule; the message says how.
    #[error("{0}")]
    InvalidName(String),
    /// A key with this name exists, or the store refused it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Office {
    /// Opens the store at `place`, for a command that runs no plugin.
    /// Blocks while it connects: call it where a thread may.
    pub fn open(place: &StorePlace) -> Result<Office, StoreError> {
        Ok(Office {
            backend: Backend::new(place.open()?),
        })
    }

    pub(crate) fn of(backend: Backend) -> Office {
        Office { backend }
    }

    /// The key whose secret is `secret`, if one is.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        if let Some(reads) = self.backend.async_reads() {
            return reads.authenticate(secret).await;
        }
        let secret = secret.to_owned();
        self.backend
            .read(move |store| store.authenticate(&secret))
            .await
    }

    /// Every API key, without its secret.
    pub async fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.backend.read(|store| store.list_keys()).await
    }

    /// Creates a key named `name` with `role`; answers its secret, which
    /// is shown this once and never stored.
    pub async fn create_key(&self, by: &Admin, name: &str, role: Role) -> Result<String, KeyError> {
        ApiKey::check_name(name).map_err(|invalid| KeyError::InvalidName(invalid.0))?;
        let (by, name) = (by.clone(), name.to_owned());
        Ok(self
            .backend
            .write(move |store| {
                let secret = store.create_key(&name, role)?;
                audit::record(store, &by, "key.create", &name, &role.to_string());
                Ok::<_, StoreError>(secret)
            })
            .await?)
    }

    /// Revokes the key named `name`; `NotFound` when there is none.
    pub async fn revoke_key(&self, by: &Admin, name: &str) -> Result<(), StoreError> {
        let (by, name) = (by.clone(), name.to_owned());
        self.backend
            .write(move |store| {
                store.revoke_key(&name)?;
                audit::record(store, &by, "key.revoke", &name, "");
                Ok(())
            })
            .await
    }

    /// The trusted publishers and the signature policy.
    pub async fn trust(&self) -> Result<Trust, StoreError> {
        self.backend.read(|store| store.trust()).await
    }

    /// Trusts the publisher `name` with the public key in `public_key`
    /// (wasmsign2's raw bytes, PEM, DER or OpenSSH); servers apply it at
    /// their next reload.
    pub async fn trust_key(
        &self,
        by: &Admin,
        name: &str,
        public_key: &[u8],
    ) -> Result<TrustedKey, StoreError> {
        TrustedKey::check_name(name).map_err(|invalid| StoreError::Refused(invalid.0))?;
        let key = TrustedKey {
            name: name.to_owned(),
            public_key: signing::public_key_hex(public_key)
                .map_err(|error| StoreError::Refused(error.to_string()))?,
            added: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        };
        let by = by.clone();
        self.backend
            .write(move |store| {
                store.add_trusted_key(&key)?;
                audit::record(store, &by, "trust.add", &key.name, &key.public_key);
                Ok(key)
            })
            .await
    }

    /// Stops trusting the publisher `name`: at the next reload, the plugins
    /// it signed are taken out, each with the reason.
    pub async fn distrust_key(&self, by: &Admin, name: &str) -> Result<TrustedKey, StoreError> {
        let (by, name) = (by.clone(), name.to_owned());
        self.backend
            .write(move |store| {
                let removed = store.remove_trusted_key(&name)?;
                audit::record(store, &by, "trust.remove", &name, &removed.public_key);
                Ok(removed)
            })
            .await
    }

    /// Makes every plugin need a trusted publisher's signature, or not.
    pub async fn require_signed(&self, by: &Admin, on: bool) -> Result<(), StoreError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                store.set_require_signed(on)?;
                let detail = if on { "on" } else { "off" };
                audit::record(store, &by, "trust.require", "plugins", detail);
                Ok(())
            })
            .await
    }

    /// A page of the audit trail.
    pub async fn audit(&self, query: AuditQuery) -> Result<AuditPage, StoreError> {
        self.backend.read(move |store| store.audit(&query)).await
    }

    /// The active barcode record for `code` in `uom` (any when `None`), and
    /// its product.
    pub async fn lookup(
        &self,
        code: &str,
        uom: Option<&str>,
    ) -> Result<Option<Lookup>, StoreError> {
        if let Some(reads) = self.backend.async_reads() {
            return reads.lookup(code, uom).await;
        }
        let (code, uom) = (code.to_owned(), uom.map(str::to_owned));
        self.backend
            .read(move |store| store.lookup(&code, uom.as_deref()))
            .await
    }

    /// The product with `sku`.
    pub async fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        let sku = sku.to_owned();
        self.backend.read(move |store| store.product(&sku)).await
    }

    /// A page of products matching `text` (see [`catalog::search`]).
    pub async fn search(
        &self,
        text: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let (text, after) = (text.to_owned(), after.map(str::to_owned));
        self.backend
            .read(move |store| catalog::search(store, &text, after.as_deref(), limit))
            .await
    }

    /// How many products and barcode records the catalog holds.
    pub async fn counts(&self) -> Result<CatalogCounts, StoreError> {
        self.backend.read(|store| store.counts()).await
    }

    /// Every link, active or not.
    pub async fn links(&self) -> Result<Vec<Barcode>, StoreError> {
        self.backend.read(|store| store.links()).await
    }

    /// Removes the link of the product `sku`; answers it, if it had one.
    pub async fn unlink(&self, by: &Admin, sku: &str) -> Result<Option<Barcode>, StoreError> {
        let (by, sku) = (by.clone(), sku.to_owned());
        self.backend
            .write(move |store| {
                let unlinked = store.unlink(&sku)?;
                if let Some(link) = &unlinked {
                    audit::record(store, &by, "link.remove", &sku, &link.barcode);
                }
                Ok(unlinked)
            })
            .await
    }

    /// The stock levels (of `sku`, or of every product), at most
    /// `max_levels` of them, and the latest `movements` moves.
    pub async fn stock(
        &self,
        sku: Option<&str>,
        max_levels: usize,
        movements: usize,
    ) -> Result<StockOverview, StoreError> {
        let sku = sku.map(str::to_owned);
        self.backend
            .read(move |store| {
                let mut levels = store.stock_levels(sku.as_deref())?;
                let more_levels = levels.len() > max_levels;
                levels.truncate(max_levels);
                Ok(StockOverview {
                    levels,
                    more_levels,
                    movements: store.movements(sku.as_deref(), movements)?,
                })
            })
            .await
    }

    /// The product `sku`'s level at each location it is stocked at, or
    /// `None` when no such product exists.
    pub async fn stock_of(&self, sku: &str) -> Result<Option<Vec<(String, i64)>>, StoreError> {
        let sku = sku.to_owned();
        self.backend
            .read(move |store| {
                if store.product(&sku)?.is_none() {
                    return Ok(None);
                }
                let levels = store.stock_levels(Some(&sku))?;
                Ok(Some(
                    levels
                        .into_iter()
                        .map(|(_, location, level)| (location, level))
                        .collect(),
                ))
            })
            .await
    }

    /// Every purchase order, with its lines.
    pub async fn orders(&self) -> Result<Vec<PurchaseOrder>, StoreError> {
        self.backend.read(|store| store.orders()).await
    }

    /// A page of the scan history.
    pub async fn history(&self, query: HistoryQuery) -> Result<HistoryPage, StoreError> {
        self.backend.read(move |store| store.history(&query)).await
    }

    /// Every installed plugin, in the order a scan asks them.
    pub async fn plugins(&self) -> Result<Vec<PluginStatus>, StoreError> {
        self.backend.read(|store| plugins::list(store)).await
    }

    /// The plugin installed as `name`.
    pub async fn plugin(&self, name: &str) -> Result<PluginStatus, StoreError> {
        let name = name.to_owned();
        self.backend
            .read(move |store| plugins::get(store, &name))
            .await
    }

    /// Applies `change` to the plugin installed as `name`; running servers
    /// pick it up within their reload poll.
    pub async fn change_plugin(
        &self,
        by: &Admin,
        name: &str,
        change: Change,
    ) -> Result<Changed, StoreError> {
        let (by, name) = (by.clone(), name.to_owned());
        self.backend
            .write(move |store| {
                let changed = plugins::change(store, &name, change.clone())?;
                let (operation, detail) = audit::plugin_change(&change, &changed);
                audit::record(store, &by, operation, &name, &detail);
                Ok(changed)
            })
            .await
    }

    /// Uninstalls the plugin installed as `name`; answers its record.
    pub async fn remove_plugin(&self, by: &Admin, name: &str) -> Result<PluginRecord, StoreError> {
        let (by, name) = (by.clone(), name.to_owned());
        self.backend
            .write(move |store| {
                let removed = store.remove_plugin(&name)?;
                let detail = format!("{} {}", removed.info.name, removed.info.version);
                audit::record(store, &by, "plugin.remove", &name, &detail);
                Ok(removed)
            })
            .await
    }

    /// The latest `limit` stock movements (of `sku`, or of every product),
    /// newest first.
    pub async fn movements(
        &self,
        sku: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Movement>, StoreError> {
        let sku = sku.map(str::to_owned);
        self.backend
            .read(move |store| store.movements(sku.as_deref(), limit))
            .await
    }

    /// Books `change` as an operator's, with no plugin and no key.
    pub async fn adjust_stock(
        &self,
        by: &Admin,
        change: StockChange,
    ) -> Result<Actions, StoreError> {
        let by = by.clone();
        let detail = audit::stock_change(&change);
        let sku = change.sku.clone();
        let booking = Booking {
            changes: vec![change],
            receipts: Vec::new(),
        };
        self.backend
            .write(move |store| {
                let booked = store.book(&booking, &Actor::default())?;
                audit::record(store, &by, "stock.adjust", &sku, &detail);
                Ok(booked)
            })
            .await
    }

    /// Moves `quantity` units of `sku` from one location to another as one
    /// operator's booking: both levels change, or neither.
    pub async fn move_stock(&self, by: &Admin, transfer: Transfer) -> Result<Actions, StoreError> {
        if transfer.from == transfer.to {
            return Err(StoreError::Refused(format!(
                "a move goes from one location to another, not from {} to itself",
                transfer.from
            )));
        }
        let delta = i64::from(transfer.quantity);
        let reason = transfer.reason;
        let booking = Booking {
            changes: vec![
                StockChange {
                    sku: transfer.sku.clone(),
                    location: transfer.from.clone(),
                    delta: -delta,
                    reason: format!("moved to {}: {reason}", transfer.to),
                },
                StockChange {
                    sku: transfer.sku.clone(),
                    location: transfer.to.clone(),
                    delta,
                    reason: format!("moved from {}: {reason}", transfer.from),
                },
            ],
            receipts: Vec::new(),
        };
        let by = by.clone();
        let detail = format!(
            "{delta} from {} to {}: {reason}",
            transfer.from, transfer.to
        );
        self.backend
            .write(move |store| {
                let booked = store.book(&booking, &Actor::default())?;
                audit::record(store, &by, "stock.move", &transfer.sku, &detail);
                Ok(booked)
            })
            .await
    }

    /// Receives `receipt` by hand, with no label: the line's received count
    /// rises and the goods are booked in, as a scanned label's would be.
    pub async fn receive_by_hand(
        &self,
        by: &Admin,
        receipt: Receipt,
    ) -> Result<Actions, StoreError> {
        let by = by.clone();
        let detail = format!("{} of {}", receipt.quantity, receipt.sku);
        let order = receipt.order.clone();
        let booking = Booking {
            changes: Vec::new(),
            receipts: vec![Receipt {
                label: None,
                ..receipt
            }],
        };
        self.backend
            .write(move |store| {
                let booked = store.book(&booking, &Actor::default())?;
                audit::record(store, &by, "order.receive", &order, &detail);
                Ok(booked)
            })
            .await
    }

    /// The purchase order numbered `number`.
    pub async fn order(&self, number: &str) -> Result<Option<PurchaseOrder>, StoreError> {
        let number = number.to_owned();
        self.backend.read(move |store| store.order(&number)).await
    }

    /// Adds the purchase order `order`; its number must be new.
    pub async fn add_order(&self, by: &Admin, order: PurchaseOrder) -> Result<(), StoreError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                store.add_order(&order)?;
                audit::record(
                    store,
                    &by,
                    "order.create",
                    &order.number,
                    &audit::order(&order),
                );
                Ok(())
            })
            .await
    }

    /// Adds `product`, or replaces the product with its SKU.
    pub async fn put_product(&self, by: &Admin, product: Product) -> Result<(), StoreError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                store.put_product(&product)?;
                audit::record(store, &by, "product.put", &product.sku, &product.name);
                Ok(())
            })
            .await
    }

    /// Adds the barcode record `barcode`.
    pub async fn add_barcode(&self, by: &Admin, barcode: Barcode) -> Result<(), StoreError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                store.add_barcode(&barcode)?;
                let detail = format!("{} for {}", barcode.barcode, barcode.product_sku);
                audit::record(store, &by, "barcode.add", &barcode.id.to_string(), &detail);
                Ok(())
            })
            .await
    }

    /// Applies `edit` to the barcode record `id` and writes it back;
    /// answers the record as written, or `None` when there is none.
    pub async fn edit_barcode(
        &self,
        by: &Admin,
        id: Uuid,
        edit: impl FnOnce(&mut Barcode) + Send + 'static,
    ) -> Result<Option<Barcode>, StoreError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                let Some(mut barcode) = store.barcode(id)? else {
                    return Ok(None);
                };
                edit(&mut barcode);
                store.update_barcode(&barcode)?;
                let detail = format!("{} for {}", barcode.barcode, barcode.product_sku);
                audit::record(store, &by, "barcode.edit", &id.to_string(), &detail);
                Ok(Some(barcode))
            })
            .await
    }

    /// Makes the barcode record `id` active or not; answers it.
    pub async fn set_barcode_active(
        &self,
        by: &Admin,
        id: Uuid,
        active: bool,
    ) -> Result<Barcode, StoreError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                let barcode = store.set_barcode_active(id, active)?;
                let operation = if active {
                    "barcode.activate"
                } else {
                    "barcode.deactivate"
                };
                audit::record(store, &by, operation, &id.to_string(), &barcode.barcode);
                Ok(barcode)
            })
            .await
    }

    /// Imports the catalog file that `open` opens (see [`import::import`]).
    pub async fn import<R: Read + 'static>(
        &self,
        by: &Admin,
        open: impl Fn() -> std::io::Result<R> + Send + 'static,
        format: Format,
        progress: impl FnMut(usize, usize) + Send + 'static,
    ) -> Result<Imported, ImportError> {
        let by = by.clone();
        self.backend
            .write(move |store| {
                let imported = import::import(store, &open, format, progress)?;
                audit::record(
                    store,
                    &by,
                    "catalog.import",
                    "catalog",
                    &audit::import(&imported),
                );
                Ok(imported)
            })
            .await
    }

    /// Writes the whole catalog to `out` as `format`; answers `out`, to be
    /// flushed.
    pub async fn export<W: Write + Send + 'static>(
        &self,
        format: Format,
        mut out: W,
    ) -> Result<W, ExportError> {
        self.backend
            .read(move |store| import::export(store, format, &mut out).map(|()| out))
            .await
    }
}
