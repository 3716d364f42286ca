//! What a plugin's granted calls reach: the server behind the sandbox.
//!
//! The sandbox checks grants and argument bounds before it calls any of
//! these; the server answers from its store. Nothing here writes: what a
//! plugin asks to book is checked with [`Server::check_booking`] and booked
//! by the server with the scan, once the scan is decided.
//!
//! The calls are async, so that a plugin waiting for a database suspends
//! rather than holding its thread; the wait is not charged to its CPU time.

use std::future::Future;
use std::pin::Pin;

use barcoded_domain::{Barcode, Booking, Product, PurchaseOrder};

/// What one of the server's calls answers, once it has.
pub type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, CallError>> + Send + 'a>>;

/// The server's side of a plugin's calls.
pub trait Server: Send + Sync {
    /// The active barcode record for `code` (a GTIN in any of its lengths)
    /// and its product.
    fn barcode(&self, code: &str) -> Answer<'_, Option<(Barcode, Option<Product>)>>;

    /// The product with `sku`.
    fn product(&self, sku: &str) -> Answer<'_, Option<Product>>;

    /// Products listing `part` among their supplier part numbers, at most `max`.
    fn products_by_supplier_part(&self, part: &str, max: usize) -> Answer<'_, Vec<Product>>;

    /// The on-hand quantity of `sku` at `location`.
    fn stock_level(&self, sku: &str, location: &str) -> Answer<'_, i64>;

    /// The purchase order numbered `number`.
    fn order(&self, number: &str) -> Answer<'_, Option<PurchaseOrder>>;

    /// The purchase orders whose supplier reference is `reference`, at most `max`.
    fn orders_by_supplier_reference(
        &self,
        reference: &str,
        max: usize,
    ) -> Answer<'_, Vec<PurchaseOrder>>;

    /// Checks `booking` whole against the catalog and the orders as they
    /// are now, writing nothing.
    fn check_booking(&self, booking: &Booking) -> Answer<'_, ()>;
}

/// Why the server did not carry out a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The call breaks a rule (no such SKU, more than the order holds);
    /// the plugin is told this text.
    Refused(String),
    /// The server failed. The detail is logged; the plugin is told only
    /// that the server failed.
    Failed(String),
}
