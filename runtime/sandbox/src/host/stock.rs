//! `stock`: levels under `stock-read`, changes under `stock-write`.

use super::{Capability, HostState, ask, bounded, host_error};
use crate::linker::bindings::barcode::plugin::stock::Host;
use crate::linker::bindings::barcode::plugin::types::HostError;
use barcoded_domain::StockChange;

impl Host for HostState {
    fn level(&mut self, sku: String, location: String) -> wasmtime::Result<Result<i64, HostError>> {
        self.serve("stock.level", Capability::StockRead, |store, booking| {
            let sku = bounded("the SKU", &sku)?;
            let location = bounded("the location", &location)?;
            let level = store.stock_level(sku, location).map_err(host_error)?;
            Ok(level.saturating_add(booking.delta(sku, location)))
        })
    }

    fn adjust(
        &mut self,
        sku: String,
        location: String,
        delta: i64,
        reason: String,
    ) -> wasmtime::Result<Result<(), HostError>> {
        self.serve("stock.adjust", Capability::StockWrite, |store, booking| {
            let change = StockChange {
                sku: bounded("the SKU", &sku)?.to_owned(),
                location: bounded("the location", &location)?.to_owned(),
                delta,
                reason: bounded("the reason", &reason)?.to_owned(),
            };
            ask(store, booking, |booking| booking.changes.push(change))
        })
    }
}
