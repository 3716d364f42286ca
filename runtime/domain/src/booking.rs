//! The rules of a booking, for every store: what it may book, checked whole
//! against the catalog and the orders, and what it writes. A store reads
//! through [`BookingReads`] inside its transaction and writes the [`Plan`].

use crate::error::StoreError;
use crate::{
    ALREADY_RECEIVED, Booking, MAX_LEVEL, MAX_LINE_LABELS, PurchaseOrder, ReceivedLine, StockChange,
};

/// What checking a booking reads from a store.
pub trait BookingReads {
    fn has_product(&mut self, sku: &str) -> Result<bool, StoreError>;
    fn order(&mut self, number: &str) -> Result<Option<PurchaseOrder>, StoreError>;
}

/// What a checked booking writes.
#[derive(Debug, Default)]
pub struct Plan {
    /// The orders received against, with their lines' received counts raised.
    pub orders: Vec<PurchaseOrder>,
    /// Each receipt as booked.
    pub receipts: Vec<ReceivedLine>,
    /// Every change of a level, receipts first, each with the order it was
    /// received against.
    pub changes: Vec<(StockChange, Option<String>)>,
}

/// Checks every change and receipt of `booking`, the receipts of one line
/// summed, against the catalog and the orders.
pub fn check_booking(booking: &Booking, reads: &mut impl BookingReads) -> Result<(), StoreError> {
    plan_booking(booking, reads).map(drop)
}

/// Checks `booking` (as [`check_booking`]) and says what it writes.
pub fn plan_booking(booking: &Booking, reads: &mut impl BookingReads) -> Result<Plan, StoreError> {
    let refuse = StoreError::Refused;
    for change in &booking.changes {
        change.validate()?;
        if !reads.has_product(&change.sku)? {
            return Err(unknown_sku(&change.sku));
        }
    }
    let mut plan = Plan::default();
    for receipt in &booking.receipts {
        receipt.validate()?;
        if receipt.quantity == 0 {
            return Err(refuse("a receipt is of at least 1 unit".into()));
        }
        let at = match plan.orders.iter().position(|o| o.number == receipt.order) {
            Some(at) => at,
            None => {
                let order = reads.order(&receipt.order)?.ok_or_else(|| {
                    refuse(format!("there is no purchase order {}", receipt.order))
                })?;
                plan.orders.push(order);
                plan.orders.len() - 1
            }
        };
        let order = &mut plan.orders[at];
        let Some(line) = order.lines.iter_mut().find(|line| line.sku == receipt.sku) else {
            return Err(refuse(format!(
                "purchase order {} has no line for SKU {}",
                receipt.order, receipt.sku
            )));
        };
        if let Some(label) = &receipt.label {
            if line.labels.contains(label) {
                return Err(refuse(ALREADY_RECEIVED.to_owned()));
            }
            if line.labels.len() >= MAX_LINE_LABELS {
                line.labels.remove(0);
            }
            line.labels.push(label.clone());
        }
        let before = line.received;
        let after = u64::from(before) + u64::from(receipt.quantity);
        if after > u64::from(line.ordered) {
            return Err(refuse(format!(
                "receiving {} of SKU {} against purchase order {} would make {after} received \
                 of {} ordered ({before} received before); nothing was booked",
                receipt.quantity, receipt.sku, receipt.order, line.ordered,
            )));
        }
        // At most `ordered`, a u32: the check above bounds it.
        line.received = before + receipt.quantity;
        plan.receipts.push(ReceivedLine {
            order: order.number.clone(),
            sku: line.sku.clone(),
            quantity: receipt.quantity,
            ordered: line.ordered,
            received: line.received,
        });
        plan.changes.push((
            StockChange {
                sku: receipt.sku.clone(),
                location: receipt
                    .location
                    .clone()
                    .unwrap_or_else(|| order.location.clone()),
                delta: i64::from(receipt.quantity),
                reason: format!("received against purchase order {}", order.number),
            },
            Some(order.number.clone()),
        ));
    }
    plan.changes
        .extend(booking.changes.iter().map(|c| (c.clone(), None)));
    Ok(plan)
}

/// The level `change` leaves at a place holding `before`, refused past
/// [`MAX_LEVEL`] either way.
pub fn next_level(before: i64, change: &StockChange) -> Result<i64, StoreError> {
    before
        .checked_add(change.delta)
        .filter(|level| level.unsigned_abs() <= MAX_LEVEL.unsigned_abs())
        .ok_or_else(|| {
            StoreError::Refused(format!(
                "the level of SKU {} at {} would be {before} {:+}, past the {MAX_LEVEL} \
                 units a level may hold either way; nothing was booked",
                change.sku, change.location, change.delta
            ))
        })
}

/// The refusal of a change or order line naming a SKU the catalog lacks.
pub fn unknown_sku(sku: &str) -> StoreError {
    StoreError::Refused(format!("there is no product with SKU {sku} in the catalog"))
}
