//! What a plugin's granted calls reach: the server behind the sandbox.
//!
//! The sandbox checks grants and argument bounds before it calls any of
//! these; the server answers from its store. Nothing here writes: what a
//! plugin asks to book is checked with [`Server::check_booking`] and booked
//! by the server with the scan, once the scan is decided.

use barcoded_domain::{Barcode, Booking, Product, PurchaseOrder};

/// The server's side of a plugin's calls.
pub trait Server: Send + Sync {
    /// The active barcode record for `code` (a GTIN in any of its lengths)
    /// and its product.
    fn barcode(&self, code: &str) -> Result<Option<(Barcode, Option<Product>)>, CallError>;

    /// The product with `sku`.
    fn product(&self, sku: &str) -> Result<Option<Product>, CallError>;

    /// Products listing `part` among their supplier part numbers, at most `max`.
    fn products_by_supplier_part(&self, part: &str, max: usize) -> Result<Vec<Product>, CallError>;

    /// The on-hand quantity of `sku` at `location`.
    fn stock_level(&self, sku: &str, location: &str) -> Result<i64, CallError>;

    /// The purchase order numbered `number`.
    fn order(&self, number: &str) -> Result<Option<PurchaseOrder>, CallError>;

    /// The purchase orders whose supplier reference is `reference`, at most `max`.
    fn orders_by_supplier_reference(
        &self,
        reference: &str,
        max: usize,
    ) -> Result<Vec<PurchaseOrder>, CallError>;

    /// Checks `booking` whole against the catalog and the orders as they
    /// are now, writing nothing.
    fn check_booking(&self, booking: &Booking) -> Result<(), CallError>;
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
