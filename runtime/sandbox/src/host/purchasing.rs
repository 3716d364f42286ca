//! `purchasing`: receipts against purchase orders under `po-receive`, and
//! reading the orders under `catalog-read`.

use super::{Capability, HostState, ask, bounded, host_error};
use crate::bindings::barcode::plugin::purchasing::{Host, OrderLine, PurchaseOrder};
use crate::bindings::barcode::plugin::types::HostError;
use barcoded_domain::Receipt;

/// Most orders `orders-by-supplier-reference` answers with.
const MAX_ORDERS: usize = 16;

impl Host for HostState {
    async fn receive(
        &mut self,
        order: String,
        sku: String,
        quantity: u32,
    ) -> wasmtime::Result<Result<OrderLine, HostError>> {
        self.receive_into_place("purchasing.receive", order, sku, quantity, None)
            .await
    }

    async fn receive_into(
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
        .await
    }

    async fn order(
        &mut self,
        number: String,
    ) -> wasmtime::Result<Result<Option<PurchaseOrder>, HostError>> {
        const CALL: &str = "purchasing.order";
        let server = self.begin(CALL, Capability::CatalogRead)?;
        let result = async {
            let number = bounded("the order number", &number)?;
            let found = server?.order(number).await.map_err(host_error)?;
            Ok(found.map(wit_order))
        };
        let result = result.await;
        self.end(CALL, result)
    }

    async fn orders_by_supplier_reference(
        &mut self,
        reference: String,
    ) -> wasmtime::Result<Result<Vec<PurchaseOrder>, HostError>> {
        const CALL: &str = "purchasing.orders-by-supplier-reference";
        let server = self.begin(CALL, Capability::CatalogRead)?;
        let result = async {
            let reference = bounded("the supplier reference", &reference)?;
            let found = server?
                .orders_by_supplier_reference(reference, MAX_ORDERS)
                .await
                .map_err(host_error)?;
            Ok(found.into_iter().map(wit_order).collect())
        };
        let result = result.await;
        self.end(CALL, result)
    }
}

impl HostState {
    /// Asks to receive `quantity` of `sku` against `order`, into `location`
    /// or the order's own; during a receipt, the scanned label goes with it.
    async fn receive_into_place(
        &mut self,
        call: &'static str,
        order: String,
        sku: String,
        quantity: u32,
        location: Option<String>,
    ) -> wasmtime::Result<Result<OrderLine, HostError>> {
        let label = self.receipt_label.clone();
        let server = self.begin(call, Capability::PoReceive)?;
        let booking = &mut self.requests.booking;
        let result = async {
            let server = server?;
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
            ask(server.as_ref(), booking, |booking| {
                booking.receipts.push(receipt)
            })
            .await?;
            // The checks above found the order and its line.
            let line = server
                .order(&order)
                .await
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
                order: order.clone(),
                sku: sku.clone(),
                ordered: line.ordered,
                received: line.received.saturating_add(asked),
            })
        };
        let result = result.await;
        self.end(call, result)
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
