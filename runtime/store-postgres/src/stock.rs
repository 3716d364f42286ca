//! Stock on hand, its movement log, and purchase orders. A booking locks
//! the order rows it receives against (`FOR UPDATE`) and moves levels with
//! one upsert each, so bookings from any number of nodes at once land one
//! after the other: none is lost, none counted twice, and no order line is
//! received past what was ordered.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;

use barcoded_domain::booking::{
    BookingReads, check_booking, next_level, plan_booking, unknown_sku,
};
use barcoded_domain::store::StockStore;
use barcoded_domain::{Actions, Actor, Booking, Movement, PurchaseOrder};

use crate::sql::{Failure, bigint, decode, encode, execute, holds_nul, record, records, row, rows};
use crate::{PgStore, StoreError};

impl StockStore for PgStore {
    fn check_booking(&self, booking: &Booking) -> Result<(), StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let mut reads = Prefetched::read(&client, booking, false).await?;
            Ok(check_booking(booking, &mut reads)?)
        })
    }

    fn book(&self, booking: &Booking, actor: &Actor) -> Result<Actions, StoreError> {
        let time = now();
        self.wait(self.transact(async |txn| book(txn, booking, actor, &time).await))
    }

    fn stock_level(&self, sku: &str, location: &str) -> Result<i64, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = row(
                &client,
                "SELECT level FROM stock WHERE sku = $1 AND location = $2",
                &[&sku, &location],
            )
            .await?;
            Ok(match found {
                Some(found) => found.try_get(0)?,
                None => 0,
            })
        })
    }

    fn stock_levels(&self, sku: Option<&str>) -> Result<Vec<(String, String, i64)>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = rows(
                &client,
                "SELECT sku, location, level FROM stock WHERE $1::text IS NULL OR sku = $1 \
                 ORDER BY sku, location",
                &[&sku],
            )
            .await?;
            found
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .collect()
        })
    }

    fn movements(&self, sku: Option<&str>, limit: usize) -> Result<Vec<Movement>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.wait(async {
            let client = self.client().await?;
            records(
                &client,
                "SELECT record FROM stock_movements WHERE $1::text IS NULL OR sku = $1 \
                 ORDER BY id DESC LIMIT $2",
                &[&sku, &limit],
            )
            .await
        })
    }

    fn add_order(&self, order: &PurchaseOrder) -> Result<(), StoreError> {
        order.validate()?;
        self.wait(self.transact(async |txn| {
            for line in &order.lines {
                if crate::catalog::product(txn, &line.sku).await?.is_none() {
                    return Err(unknown_sku(&line.sku).into());
                }
            }
            let added = execute(
                txn,
                "INSERT INTO purchase_orders (number, record) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                &[&order.number, &encode(order)],
            )
            .await?;
            if added == 0 {
                return Err(StoreError::Refused(format!(
                    "purchase order {} exists; `barcoded order show {}` shows it",
                    order.number, order.number
                ))
                .into());
            }
            Ok(())
        }))
    }

    fn order(&self, number: &str) -> Result<Option<PurchaseOrder>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            record(
                &client,
                "SELECT record FROM purchase_orders WHERE number = $1",
                &[&number],
            )
            .await
        })
    }

    fn orders(&self) -> Result<Vec<PurchaseOrder>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            records(
                &client,
                "SELECT record FROM purchase_orders ORDER BY number",
                &[],
            )
            .await
        })
    }
}

/// What a booking's check reads, fetched before the check runs (the
/// domain's rules are synchronous; the client is not).
struct Prefetched {
    products: HashMap<String, bool>,
    orders: HashMap<String, Option<PurchaseOrder>>,
}

impl Prefetched {
    /// Reads the products and orders `booking` names; with `lock`, locks
    /// the orders' rows until the transaction ends.
    async fn read(
        client: &impl GenericClient,
        booking: &Booking,
        lock: bool,
    ) -> Result<Prefetched, Failure> {
        let mut products = HashMap::new();
        // A plugin's booking may name anything; text no record can hold is
        // not asked for, which would abort the scan's transaction.
        for change in &booking.changes {
            if !products.contains_key(&change.sku) {
                let found = !holds_nul(&[&change.sku])
                    && crate::catalog::product(client, &change.sku)
                        .await?
                        .is_some();
                products.insert(change.sku.clone(), found);
            }
        }
        let query = if lock {
            "SELECT record FROM purchase_orders WHERE number = $1 FOR UPDATE"
        } else {
            "SELECT record FROM purchase_orders WHERE number = $1"
        };
        let mut orders = HashMap::new();
        // In the order the receipts name them; two bookings locking the
        // same orders the other way round deadlock, and the loser is retried.
        for receipt in &booking.receipts {
            if !orders.contains_key(&receipt.order) {
                let found = match holds_nul(&[&receipt.order]) {
                    true => None,
                    false => row(client, query, &[&receipt.order]).await?,
                };
                let found = match found {
                    Some(found) => Some(decode(&found, 0)?),
                    None => None,
                };
                orders.insert(receipt.order.clone(), found);
            }
        }
        Ok(Prefetched { products, orders })
    }
}

impl BookingReads for Prefetched {
    fn has_product(&mut self, sku: &str) -> Result<bool, StoreError> {
        Ok(self.products.get(sku).copied().unwrap_or(false))
    }

    fn order(&mut self, number: &str) -> Result<Option<PurchaseOrder>, StoreError> {
        Ok(self.orders.get(number).cloned().flatten())
    }
}

/// Checks and writes `booking` inside `txn` (see the module's docs).
pub(crate) async fn book(
    txn: &deadpool_postgres::Transaction<'_>,
    booking: &Booking,
    actor: &Actor,
    time: &str,
) -> Result<Actions, Failure> {
    let mut reads = Prefetched::read(txn, booking, true).await?;
    let plan = plan_booking(booking, &mut reads)?;
    for order in &plan.orders {
        execute(
            txn,
            "UPDATE purchase_orders SET record = $2 WHERE number = $1",
            &[&order.number, &encode(order)],
        )
        .await?;
    }
    let mut booked = Actions {
        receipts: plan.receipts,
        ..Actions::default()
    };
    for (change, order) in plan.changes {
        let moved = row(
            txn,
            "INSERT INTO stock (sku, location, level) VALUES ($1, $2, $3) \
             ON CONFLICT (sku, location) DO UPDATE SET level = stock.level + EXCLUDED.level \
             RETURNING level, nextval('movement_ids')",
            &[&change.sku, &change.location, &change.delta],
        )
        .await?
        .ok_or_else(|| StoreError::storage("a stock upsert returned nothing"))?;
        let after: i64 = moved.try_get(0)?;
        // Levels stay within MAX_LEVEL and changes within MAX_QUANTITY, so
        // this never overflows; the check refuses a level past the bound,
        // and the refusal rolls the whole booking back.
        let level = next_level(after - change.delta, &change)?;
        let id: i64 = moved.try_get(1)?;
        let movement =
            Movement::booked(crate::sql::unsigned(id), time, change, level, actor, order);
        execute(
            txn,
            "INSERT INTO stock_movements (id, sku, record) VALUES ($1, $2, $3)",
            &[&bigint(movement.id)?, &movement.sku, &encode(&movement)],
        )
        .await?;
        booked.movements.push(movement);
    }
    Ok(booked)
}

/// Now, as the movement log and history write it.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}
