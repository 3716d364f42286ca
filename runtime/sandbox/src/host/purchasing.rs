//! `purchasing`: receipts against purchase orders under `po-receive`, and
//! reading the orders under `catalog-read`.

use super::{Capability, HostState, ask, bounded, host_error};
use crate::linker::bindings::barcode::plugin::purchasing::{Host, OrderLine, PurchaseOrder};
use crate::linker::bindings::barcode::plugin::types::HostError;
use barcoded_domain::Receipt;

/// Most orders `orders-by-supplier-reference` answers with.
const MAX_ORDERS: usize = 16;

impl Host for HostState {
    fn receive(
        &mut self,
        order: String,
        sku: String,
        quantity: u32,
    ) -> wasmtime::Result<Result<OrderLine, HostError>> {
        self.receive_into_place("purchasing.receive", order, sku, quantity, None)
    }

    fn receive_into(
        &mut self,
        order: String,
        sku: String,
        quantity: u32,
        location: String,
    ) -> wasmtime::Result<Result<OrderLine, HostError>> {
        self.receive_into_place(
            "purchasing.receive-into",
            order,
            sku,
            quantity,
            Some(location),
        )
    }

    fn order(
        &mut self,
        number: String,
    ) -> wasmtime::Result<Result<Option<PurchaseOrder>, HostError>> {
        self.serve("purchasing.order", Capability::CatalogRead, |store, _| {
            let number = bounded("the order number", &number)?;
            Ok(store.order(number).map_err(host_error)?.map(wit_order))
        })
    }

    fn orders_by_supplier_reference(
        &mut self,
        reference: String,
    ) -> wasmtime::Result<Result<Vec<PurchaseOrder>, HostError>> {
        self.serve(
            "purchasing.orders-by-supplier-reference",
            Capability::CatalogRead,
            |store, _| {
                let reference = bounded("the supplier reference", &reference)?;
                let found = store
                    .orders_by_supplier_reference(reference, MAX_ORDERS)
                    .map_err(host_error)?;
                Ok(found.into_iter().map(wit_order).collect())
            },
        )
    }
}

impl HostState {
    /// Asks to receive `quantity` of `sku` against `order`, into `location`
    /// or the order's own; during a receipt, the scanned label goes with it.
    fn receive_into_place(
        &mut self,
        call: &'static str,
        order: String,
        sku: String,
        quantity: u32,
        location: Option<String>,
    ) -> wasmtime::Result<Result<OrderLine, HostError>> {
        let label = self.receipt_label.clone();
        self.serve(call, Capability::PoReceive, |store, booking| {
            let receipt = Receipt {
                order: bounded("the order number", &order)?.to_owned(),
                sku: bounded("the SKU", &sku)?.to_owned(),
                quantity,
                location: match &location {
                    Some(location) => Some(bounded("the location", location)?.to_owned()),
                    None => None,
                },
                label,
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
        })
    }
}

/// An order as plugins read it; the labels it remembers stay with the server.
fn wit_order(order: barcoded_domain::PurchaseOrder) -> PurchaseOrder {
    PurchaseOrder {
        lines: order
            .lines
            .into_iter()
            .map(|line| OrderLine {
                order: order.number.clone(),
                sku: line.sku,
                ordered: line.ordered,
                received: line.received,
            })
            .collect(),
        number: order.number,
        supplier: order.supplier,
        supplier_reference: order.supplier_reference,
        location: order.location,
    }
}
