//! The store as the sandbox's [`Server`]: what plugins' granted calls read.

use std::sync::Arc;

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{Barcode, Booking, Product, PurchaseOrder};
use barcoded_sandbox::{CallError, Server};

/// Answers plugins' calls from the store.
pub struct StoreServer(pub Arc<dyn Storage>);

impl Server for StoreServer {
    fn barcode(&self, code: &str) -> Result<Option<(Barcode, Option<Product>)>, CallError> {
        let found = self.0.lookup_gtin(code, None).map_err(call_error)?;
        Ok(found.map(|found| (found.barcode, found.product)))
    }

    fn product(&self, sku: &str) -> Result<Option<Product>, CallError> {
        self.0.product(sku).map_err(call_error)
    }

    fn products_by_supplier_part(&self, part: &str, max: usize) -> Result<Vec<Product>, CallError> {
        self.0
            .products_by_supplier_part(part, max)
            .map_err(call_error)
    }

    fn stock_level(&self, sku: &str, location: &str) -> Result<i64, CallError> {
        self.0.stock_level(sku, location).map_err(call_error)
    }

    fn order(&self, number: &str) -> Result<Option<PurchaseOrder>, CallError> {
        self.0.order(number).map_err(call_error)
    }

    fn orders_by_supplier_reference(
        &self,
        reference: &str,
        max: usize,
    ) -> Result<Vec<PurchaseOrder>, CallError> {
        self.0
            .orders_by_supplier_reference(reference, max)
            .map_err(call_error)
    }

    fn check_booking(&self, booking: &Booking) -> Result<(), CallError> {
        self.0.check_booking(booking).map_err(call_error)
    }
}

fn call_error(error: StoreError) -> CallError {
    match error {
        StoreError::Refused(reason) | StoreError::NotFound(reason) => CallError::Refused(reason),
        error @ (StoreError::Storage(_) | StoreError::Unavailable(_)) => {
            CallError::Failed(error.to_string())
        }
    }
}
