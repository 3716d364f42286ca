//! `stock`: levels under `stock-read`, changes under `stock-write`.

use super::{Capability, HostState, ask, bounded, host_error};
use crate::bindings::barcode::plugin::stock::Host;
use crate::bindings::barcode::plugin::types::HostError;
use barcoded_domain::StockChange;

impl Host for HostState {
    async fn level(
        &mut self,
        sku: String,
        location: String,
    ) -> wasmtime::Result<Result<i64, HostError>> {
        const CALL: &str = "stock.level";
        let server = self.begin(CALL, Capability::StockRead)?;
        let booking = &self.requests.booking;
        let result = async {
            let sku = bounded("the SKU", &sku)?;
            let location = bounded("the location", &location)?;
            let level = server?
                .stock_level(sku, location)
                .await
                .map_err(host_error)?;
            Ok(level.saturating_add(booking.delta(sku, location)))
        };
        let result = result.await;
        self.end(CALL, result)
    }

    async fn adjust(
        &mut self,
        sku: String,
        location: String,
        delta: i64,
        reason: String,
    ) -> wasmtime::Result<Result<(), HostError>> {
        const CALL: &str = "stock.adjust";
        let server = self.begin(CALL, Capability::StockWrite)?;
        let booking = &mut self.requests.booking;
        let result = async {
            let server = server?;
            let change = StockChange {
                sku: bounded("the SKU", &sku)?.to_owned(),
                location: bounded("the location", &location)?.to_owned(),
                delta,
                reason: bounded("the reason", &reason)?.to_owned(),
            };
            ask(server.as_ref(), booking, |booking| {
                booking.changes.push(change)
            })
            .await
        };
        let result = result.await;
        self.end(CALL, result)
    }
}
