//! Receiving a supplier's label against a purchase order, as InvenTree's
//! `po-receive` does: the label is checked against the labels received
//! before, handed to the plugins that export `receiving`, and what the
//! deciding plugin booked is written with the receipt's history entry.

use std::time::Instant;

use barcoded_domain::store::StoreError;
use barcoded_domain::{Actions, HistoryEntry, Product, ScanKind, barcode_hash};
use barcoded_sandbox::{ReceiptOutcome, ReceiptRequest, ReceiptStatus};

use crate::service::Service;

/// The format a receipt is filed under in the scan history.
const RECEIPT_FORMAT: &str = "po-receive";

/// What receiving a label came to.
#[derive(Debug)]
pub enum Received {
    /// The label was received before, against this order and line (SKU):
    /// no plugin was asked.
    Before { order: String, sku: String },
    /// The plugins answered.
    Answered(Box<ReceiptAnswer>),
}

/// The plugins' answer to a receipt, the product of the line it matched,
/// and what was booked.
#[derive(Debug)]
pub struct ReceiptAnswer {
    pub outcome: ReceiptOutcome,
    pub product: Option<Product>,
    pub actions: Actions,
}

/// Why a label could not be received at all.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The client named an order that does not exist.
    #[error("there is no purchase order {0:?}")]
    NoSuchOrder(String),
    /// Nothing printable is left of the label once its separators and
    /// control characters are taken out: it cannot be told from others.
    #[error(
        "the label has no printable characters once its separators and control characters \
         are taken out"
    )]
    Unprintable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Service {
    /// Receives the label `data` as `request` asks, for the API key named
    /// `key`: refused at once when the label was received before, else
    /// handed to the plugins that receive (see `Chain::receive`). What the
    /// deciding plugin booked is written with the receipt's history entry,
    /// and this returns once both are durable.
    pub async fn receive(
        &self,
        data: &str,
        request: &ReceiptRequest,
        key: Option<&str>,
    ) -> Result<Received, ReceiveError> {
        let _slot = self.scan_slot().await;
        let started = Instant::now();
        let (order, label) = (request.order.clone(), barcode_hash(data));
        let (order_exists, received) = self
            .backend
            .read(move |store| {
                let exists = match &order {
                    Some(order) => store.order(order)?.is_some(),
                    None => true,
                };
                Ok::<_, StoreError>((exists, store.received_label(&label)?))
            })
            .await?;
        if !order_exists && let Some(order) = &request.order {
            return Err(ReceiveError::NoSuchOrder(order.clone()));
        }
        if barcoded_domain::link_value(data).is_none() {
            return Err(ReceiveError::Unprintable);
        }
        if let Some((order, sku)) = received {
            return Ok(Received::Before { order, sku });
        }
        let quarantined = self.quarantined().await;
        let mut outcome = self
            .chain()
            .receive(
                data,
                request,
                |name| quarantined.contains(name),
                Some(&self.server),
            )
            .await;
        self.quarantine_repeat_offenders(outcome.failures(), &quarantined);
        let (plugin, receipt, requests) = match &mut outcome {
            ReceiptOutcome::Answered {
                plugin,
                receipt,
                requests,
                ..
            } => (
                Some(plugin.clone()),
                Some(&*receipt),
                std::mem::take(requests),
            ),
            ReceiptOutcome::NoMatch { .. } => (None, None, Default::default()),
        };
        let line = receipt.and_then(|receipt| receipt.line.as_ref());
        let product = match line.map(|line| line.sku.clone()) {
            Some(sku) => self.backend.read(move |store| store.product(&sku)).await?,
            None => None,
        };
        let entry = HistoryEntry {
            id: 0,
            time: String::new(),
            key: key.map(str::to_owned),
            barcode_data: data.to_owned(),
            result: match receipt.map(|r| r.status) {
                None => ScanKind::NoMatch,
                Some(ReceiptStatus::Refused) => ScanKind::Rejected,
                Some(_) => ScanKind::Decoded,
            },
            plugin,
            format: receipt.map(|_| RECEIPT_FORMAT.to_owned()),
            lookup_code: line.map(|line| line.sku.clone()),
            duration_us: started.elapsed().as_micros() as u64,
            actions: Actions {
                refused: requests.refused,
                ..Actions::default()
            },
        };
        let actions = self.record(entry, requests.booking).await?;
        Ok(Received::Answered(Box::new(ReceiptAnswer {
            outcome,
            product,
            actions,
        })))
    }
}
