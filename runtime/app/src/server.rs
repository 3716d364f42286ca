//! The store as the sandbox's [`Server`]: what plugins' granted calls read,
//! each run where the store may block (see [`Backend`]).

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{Barcode, Booking, Product, PurchaseOrder};
use barcoded_sandbox::{Answer, CallError, Server};

use crate::backend::Backend;

/// Answers plugins' calls from the store.
pub(crate) struct StoreServer(pub(crate) Backend);

impl StoreServer {
    /// Runs `read` on the store, its error as a plugin's call sees it.
    fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&dyn Storage) -> Result<T, StoreError> + Send + 'static,
    ) -> Answer<'_, T> {
        Box::pin(async move { self.0.read(read).await.map_err(call_error) })
    }
}

impl Server for StoreServer {
    fn barcode(&self, code: &str) -> Answer<'_, Option<(Barcode, Option<Product>)>> {
        let code = code.to_owned();
        self.read(move |store| {
            let found = store.lookup_gtin(&code, None)?;
            Ok(found.map(|found| (found.barcode, found.product)))
        })
    }

    fn product(&self, sku: &str) -> Answer<'_, Option<Product>> {
        let sku = sku.to_owned();
        self.read(move |store| store.product(&sku))
    }

    fn products_by_supplier_part(&self, part: &str, max: usize) -> Answer<'_, Vec<Product>> {
        let part = part.to_owned();
        self.read(move |store| store.products_by_supplier_part(&part, max))
    }

    fn stock_level(&self, sku: &str, location: &str) -> Answer<'_, i64> {
        let (sku, location) = (sku.to_owned(), location.to_owned());
        self.read(move |store| store.stock_level(&sku, &location))
    }

    fn order(&self, number: &str) -> Answer<'_, Option<PurchaseOrder>> {
        let number = number.to_owned();
        self.read(move |store| store.order(&number))
    }

    fn orders_by_supplier_reference(
        &self,
        reference: &str,
        max: usize,
    ) -> Answer<'_, Vec<PurchaseOrder>> {
        let reference = reference.to_owned();
        self.read(move |store| store.orders_by_supplier_reference(&reference, max))
    }

    fn check_booking(&self, booking: &Booking) -> Answer<'_, ()> {
        let booking = booking.clone();
        self.read(move |store| store.check_booking(&booking))
    }
}

fn call_error(error: StoreError) -> CallError {
    match error {
        StoreError::Refused(reason) | StoreError::NotFound(reason) => CallError::Refused(reason),
        error @ (StoreError::Storage { .. } | StoreError::Unavailable { .. }) => {
            CallError::Failed(error.to_string())
        }
    }
}
