//! Stock on hand and purchase orders: a level per (SKU, location), the
//! movement log that explains every level, and receipts against orders.
//!
//! Every change goes through a [`Booking`], which is checked whole before
//! any of it is written: a booking lands entirely or not at all.

use redb::{ReadableTable, Table, WriteTransaction};

use barcoded_domain::booking::{
    BookingReads, check_booking, next_level, plan_booking, unknown_sku,
};
use barcoded_domain::{Actions, Actor, Booking, Movement, PurchaseOrder, StockChange};

use super::schema::{COUNTERS, PRODUCTS, PURCHASE_ORDERS, STOCK, STOCK_MOVEMENTS};
use crate::codec::{decode, encode, storage};
use crate::{Store, StoreError};
use barcoded_domain::store::StockStore;

impl StockStore for Store {
    fn check_booking(&self, booking: &Booking) -> Result<(), StoreError> {
        let txn = self.read()?;
        check_booking(
            booking,
            &mut Reads {
                products: &txn.open_table(PRODUCTS).map_err(storage)?,
                orders: &txn.open_table(PURCHASE_ORDERS).map_err(storage)?,
            },
        )
    }

    fn book(&self, booking: &Booking, actor: &Actor) -> Result<Actions, StoreError> {
        let txn = self.write()?;
        let booked = book(&txn, booking, actor, &now())?;
        self.commit(txn)?;
        Ok(booked)
    }

    fn stock_level(&self, sku: &str, location: &str) -> Result<i64, StoreError> {
        let txn = self.read()?;
        let stock = txn.open_table(STOCK).map_err(storage)?;
        Ok(stock
            .get((sku, location))
            .map_err(storage)?
            .map_or(0, |level| level.value()))
    }

    fn stock_levels(&self, sku: Option<&str>) -> Result<Vec<(String, String, i64)>, StoreError> {
        let txn = self.read()?;
        let stock = txn.open_table(STOCK).map_err(storage)?;
        let entries = match sku {
            Some(sku) => stock.range((sku, "")..).map_err(storage)?,
            None => stock.iter().map_err(storage)?,
        };
        let mut levels = Vec::new();
        for entry in entries {
            let (key, level) = entry.map_err(storage)?;
            let (entry_sku, location) = key.value();
            if sku.is_some_and(|sku| sku != entry_sku) {
                break;
            }
            levels.push((entry_sku.to_owned(), location.to_owned(), level.value()));
        }
        Ok(levels)
    }

    fn movements(&self, sku: Option<&str>, limit: usize) -> Result<Vec<Movement>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(STOCK_MOVEMENTS).map_err(storage)?;
        let mut found = Vec::new();
        for entry in table.iter().map_err(storage)?.rev() {
            if found.len() == limit {
                break;
            }
            let movement: Movement = decode(entry.map_err(storage)?.1.value())?;
            if sku.is_none_or(|sku| sku == movement.sku) {
                found.push(movement);
            }
        }
        Ok(found)
    }

    fn add_order(&self, order: &PurchaseOrder) -> Result<(), StoreError> {
        order.validate()?;
        let txn = self.write()?;
        {
            let products = txn.open_table(PRODUCTS).map_err(storage)?;
            for line in &order.lines {
                if products.get(line.sku.as_str()).map_err(storage)?.is_none() {
                    return Err(unknown_sku(&line.sku));
                }
            }
            let mut orders = txn.open_table(PURCHASE_ORDERS).map_err(storage)?;
            if orders
                .get(order.number.as_str())
                .map_err(storage)?
                .is_some()
            {
                return Err(StoreError::Refused(format!(
                    "purchase order {} exists; `barcoded order show {}` shows it",
                    order.number, order.number
                )));
            }
            orders
                .insert(order.number.as_str(), encode(order).as_slice())
                .map_err(storage)?;
        }
        self.commit(txn)
    }

    fn order(&self, number: &str) -> Result<Option<PurchaseOrder>, StoreError> {
        let txn = self.read()?;
        let orders = txn.open_table(PURCHASE_ORDERS).map_err(storage)?;
        match orders.get(number).map_err(storage)? {
            Some(bytes) => Ok(Some(decode(bytes.value())?)),
            None => Ok(None),
        }
    }

    fn orders(&self) -> Result<Vec<PurchaseOrder>, StoreError> {
        let txn = self.read()?;
        let orders = txn.open_table(PURCHASE_ORDERS).map_err(storage)?;
        orders
            .iter()
            .map_err(storage)?
            .map(|entry| decode(entry.map_err(storage)?.1.value()))
            .collect()
    }
}

/// The catalog and orders a booking is checked against, in one transaction.
struct Reads<'a, P, O> {
    products: &'a P,
    orders: &'a O,
}

impl<P, O> BookingReads for Reads<'_, P, O>
where
    P: ReadableTable<&'static str, &'static [u8]>,
    O: ReadableTable<&'static str, &'static [u8]>,
{
    fn has_product(&mut self, sku: &str) -> Result<bool, StoreError> {
        Ok(self.products.get(sku).map_err(storage)?.is_some())
    }

    fn order(&mut self, number: &str) -> Result<Option<PurchaseOrder>, StoreError> {
        match self.orders.get(number).map_err(storage)? {
            Some(bytes) => Ok(Some(decode(bytes.value())?)),
            None => Ok(None),
        }
    }
}

/// Checks and writes `booking` inside `txn`: receipts update their order
/// lines and add stock at the order's location; every change updates its
/// level and appends a movement. Writes nothing when a check fails.
pub(super) fn book(
    txn: &WriteTransaction,
    booking: &Booking,
    actor: &Actor,
    time: &str,
) -> Result<Actions, StoreError> {
    let mut orders = txn.open_table(PURCHASE_ORDERS).map_err(storage)?;
    let plan = plan_booking(
        booking,
        &mut Reads {
            products: &txn.open_table(PRODUCTS).map_err(storage)?,
            orders: &orders,
        },
    )?;
    let mut stock = txn.open_table(STOCK).map_err(storage)?;
    // Every level is worked out before anything is written: a scan's
    // booking refused here leaves its transaction, which goes on to write
    // the scan's history entry, untouched.
    let mut levels: Vec<i64> = Vec::with_capacity(plan.changes.len());
    for (i, (change, _)) in plan.changes.iter().enumerate() {
        let same_place = |(other, _): &(StockChange, Option<String>)| {
            other.sku == change.sku && other.location == change.location
        };
        let before = match plan.changes[..i].iter().rposition(same_place) {
            Some(earlier) => levels[earlier],
            None => stock
                .get((change.sku.as_str(), change.location.as_str()))
                .map_err(storage)?
                .map_or(0, |l| l.value()),
        };
        levels.push(next_level(before, change)?);
    }
    for order in &plan.orders {
        orders
            .insert(order.number.as_str(), encode(order).as_slice())
            .map_err(storage)?;
    }
    let mut booked = Actions {
        receipts: plan.receipts,
        ..Actions::default()
    };
    let mut log = txn.open_table(STOCK_MOVEMENTS).map_err(storage)?;
    let mut counters = txn.open_table(COUNTERS).map_err(storage)?;
    for ((change, order), level) in plan.changes.into_iter().zip(levels) {
        stock
            .insert((change.sku.as_str(), change.location.as_str()), level)
            .map_err(storage)?;
        let movement = Movement::booked(
            next_id(&mut counters, "movements")?,
            time,
            change,
            level,
            actor,
            order,
        );
        log.insert(movement.id, encode(&movement).as_slice())
            .map_err(storage)?;
        booked.movements.push(movement);
    }
    Ok(booked)
}

/// Hands out the next number of the sequence `name`, starting at 1.
pub(super) fn next_id(
    counters: &mut Table<&'static str, u64>,
    name: &str,
) -> Result<u64, StoreError> {
    let id = counters
        .get(name)
        .map_err(storage)?
        .map_or(0, |c| c.value())
        + 1;
    counters.insert(name, id).map_err(storage)?;
    Ok(id)
}

/// Now, as the movement log and history write it.
pub(super) fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use barcoded_domain::store::CatalogStore;
    use barcoded_domain::{
        ALREADY_RECEIVED, MAX_LEVEL, MAX_QUANTITY, OrderLine, Price, Product, Receipt,
    };

    /// A store in a fresh folder, with product `A` and order PO-1 for 5 of it.
    fn store() -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "barcoded-stock-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        store
            .put_product(&Product {
                sku: "A".into(),
                name: "A".into(),
                category: "Parts".into(),
                unit_price: Price::parse("1").unwrap(),
                currency: "EUR".into(),
                supplier_parts: Vec::new(),
            })
            .unwrap();
        store
            .add_order(&PurchaseOrder {
                number: "PO-1".into(),
                supplier: None,
                supplier_reference: None,
                location: "DOCK".into(),
                created: now(),
                lines: vec![OrderLine::new("A", 5)],
            })
            .unwrap();
        (store, dir)
    }

    fn receipt(quantity: u32) -> Receipt {
        Receipt {
            order: "PO-1".into(),
            sku: "A".into(),
            quantity,
            location: None,
            label: None,
        }
    }

    #[test]
    fn a_booking_with_one_refused_part_writes_nothing() {
        let (store, dir) = store();
        let booking = Booking {
            changes: vec![StockChange {
                sku: "A".into(),
                location: "SHELF".into(),
                delta: 3,
                reason: "counted".into(),
            }],
            receipts: vec![receipt(3), receipt(3)],
        };
        let refused = store.book(&booking, &Actor::default()).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("would make 6 received of 5 ordered"),
            "{refused}"
        );
        assert_eq!(store.stock_level("A", "SHELF").unwrap(), 0);
        assert_eq!(store.order("PO-1").unwrap().unwrap().lines[0].received, 0);
        assert!(store.movements(None, 10).unwrap().is_empty());

        let booking = Booking {
            receipts: vec![receipt(2), receipt(3)],
            ..booking
        };
        let booked = store.book(&booking, &Actor::default()).unwrap();
        assert_eq!(booked.receipts[1].received, 5);
        assert_eq!(store.stock_level("A", "DOCK").unwrap(), 5);
        assert_eq!(store.stock_level("A", "SHELF").unwrap(), 3);
        assert_eq!(store.movements(Some("A"), 10).unwrap().len(), 3);
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A receipt of a label books it into the location it names and
    /// remembers the label, durably: the same label is refused after, even
    /// by a store opened afresh, while another label of the line is not.
    #[test]
    fn a_label_is_received_once_into_the_location_it_names() {
        let (store, dir) = store();
        let labelled = |label: &str| Booking {
            receipts: vec![Receipt {
                location: Some("SHELF-9".into()),
                label: Some(label.into()),
                ..receipt(2)
            }],
            ..Booking::default()
        };
        let booked = store.book(&labelled("hash-1"), &Actor::default()).unwrap();
        assert_eq!(booked.movements[0].location, "SHELF-9");
        assert_eq!(store.stock_level("A", "SHELF-9").unwrap(), 2);
        assert_eq!(store.stock_level("A", "DOCK").unwrap(), 0);
        drop(store);
        let store = Store::open(&dir).unwrap();
        let again = store
            .book(&labelled("hash-1"), &Actor::default())
            .unwrap_err();
        assert_eq!(again.to_string(), ALREADY_RECEIVED, "{again}");
        assert!(store.check_booking(&labelled("hash-1")).is_err());
        store.book(&labelled("hash-2"), &Actor::default()).unwrap();
        let line = &store.order("PO-1").unwrap().unwrap().lines[0];
        assert_eq!(
            (line.received, line.labels.clone()),
            (4, vec!["hash-1".into(), "hash-2".into()])
        );
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A scan's booking whose last change would pass a level's bound is
    /// refused whole, and the scan's entry is written all the same.
    #[test]
    fn a_scans_booking_refused_at_its_last_change_books_none_of_it() {
        use barcoded_domain::store::{HistoryStore, TransferStore};
        use barcoded_domain::transfer::Record;
        use barcoded_domain::{HistoryEntry, Retention, ScanKind, ScanRecord};
        let (store, dir) = store();
        let full = Record::Level {
            sku: "A".into(),
            location: "SHELF".into(),
            level: MAX_LEVEL - 5,
        };
        store.import_records(&[full]).unwrap();
        let change = |location: &str, delta| StockChange {
            sku: "A".into(),
            location: location.into(),
            delta,
            reason: "kanban".into(),
        };
        let scan = ScanRecord {
            entry: HistoryEntry {
                id: 0,
                time: String::new(),
                key: None,
                barcode_data: "KANBAN:A".into(),
                result: ScanKind::Decoded,
                plugin: Some("kanban".into()),
                format: None,
                lookup_code: None,
                duration_us: 1,
                actions: Actions::default(),
            },
            booking: Booking {
                changes: vec![change("DOCK", 1), change("SHELF", 10)],
                receipts: vec![receipt(1)],
            },
        };
        let retention = Retention {
            max_entries: 10,
            max_age: std::time::Duration::from_secs(3600),
        };
        let written = store.record_scans(vec![scan], retention).unwrap();
        let refused = &written[0].actions.refused;
        assert_eq!(refused.len(), 1, "{written:?}");
        assert!(
            refused[0].reason.contains("past the"),
            "{}",
            refused[0].reason
        );
        assert_eq!(store.stock_level("A", "DOCK").unwrap(), 0);
        assert_eq!(store.stock_level("A", "SHELF").unwrap(), MAX_LEVEL - 5);
        assert_eq!(store.order("PO-1").unwrap().unwrap().lines[0].received, 0);
        assert!(store.movements(None, 10).unwrap().is_empty());
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn changes_of_unknown_skus_or_of_nothing_are_refused() {
        let (store, dir) = store();
        for (sku, delta) in [
            ("B", 1),
            ("A", 0),
            ("A", MAX_QUANTITY + 1),
            ("A", -MAX_QUANTITY - 1),
            ("A", i64::MIN),
            ("A", i64::MAX),
        ] {
            let booking = Booking {
                changes: vec![StockChange {
                    sku: sku.into(),
                    location: "SHELF".into(),
                    delta,
                    reason: "counted".into(),
                }],
                receipts: Vec::new(),
            };
            assert!(store.check_booking(&booking).is_err(), "{sku} {delta}");
        }
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
