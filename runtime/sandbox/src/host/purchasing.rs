//! `purchasing`: receipts against purchase orders, under `po-receive`.

use super::{Capability, HostState, ask, bounded, host_error};
use crate::linker::bindings::barcode::plugin::purchasing::{Host, OrderLine};
use crate::linker::bindings::barcode::plugin::types::HostError;
use barcoded_domain::Receipt;

impl Host for HostState {
    fn receive(
        &mut self,
        order: String,
        sku: String,
        quantity: u32,
    ) -> wasmtime::Result<Result<OrderLine, HostError>> {
        self.serve(
            "purchasing.receive",
            Capability::PoReceive,
            |store, booking| {
                let receipt = Receipt {
                    order: bounded("the order number", &order)?.to_owned(),
                    sku: bounded("the SKU", &sku)?.to_owned(),
                    quantity,
                };
                ask(store, booking, |booking| booking.receipts.push(receipt))?;
                // The checks above found the order and its line.
                let line = store
                    .order(&order)
                    .map_err(host_error)?
                    .and_then(|order| order.lines.into_iter().find(|line| line.sku == sku))
                    .ok_or_else(|| {
                        HostError::Unavailable("the order changed during the scan".into())
                    })?;
                // The store's checks keep these within the ordered quantity.
                let asked = booking
                    .receipts
                    .iter()
                    .filter(|r| r.order == order && r.sku == sku)
                    .fold(0u32, |sum, r| sum.saturating_add(r.quantity));
                Ok(OrderLine {
                    order,
                    sku,
                    ordered: line.ordered,
                    received: line.received.saturating_add(asked),
                })
            },
        )
    }
}
