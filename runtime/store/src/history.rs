//! The scan history: an entry per scan, written in the same transaction as
//! what the scan booked, and pruned by age and count as entries arrive.

use std::time::SystemTime;

use redb::{ReadableTable, Table, WriteTransaction};

use super::schema::SCAN_HISTORY;
use barcoded_domain::store::HistoryStore;
use barcoded_domain::{
    HISTORY_MAX_EXAMINED, HISTORY_MAX_PRUNED_FOR_AGE, HistoryEntry, HistoryPage, HistoryQuery,
    RefusedCall, Retention, ScanRecord, unix_millis,
};

use super::stock;
use crate::codec::{decode, encode, raise_counter, storage};
use crate::{Store, StoreError};

impl HistoryStore for Store {
    fn record_scans(
        &self,
        records: Vec<ScanRecord>,
        retention: Retention,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let now = SystemTime::now();
        let time = stock::now();
        let txn = self.write()?;
        let first_id = reserve_ids(&txn, records.len())?;
        let mut history = txn.open_table(SCAN_HISTORY).map_err(storage)?;
        let mut written = Vec::with_capacity(records.len());
        for (id, ScanRecord { mut entry, booking }) in (first_id..).zip(records) {
            entry.id = id;
            entry.time.clone_from(&time);
            if !booking.is_empty() {
                let actor = entry.actor();
                match stock::book(&txn, &booking, &actor, &time) {
                    Ok(booked) => {
                        entry.actions.movements = booked.movements;
                        entry.actions.receipts = booked.receipts;
                    }
                    Err(StoreError::Refused(reason)) => {
                        entry.actions.refused.push(RefusedCall::booking(&reason))
                    }
                    Err(error) => return Err(error),
                }
            }
            history
                .insert(entry.id, (unix_millis(now), encode(&entry).as_slice()))
                .map_err(storage)?;
            written.push(entry);
        }
        prune(&mut history, retention, now)?;
        drop(history);
        self.commit(txn)?;
        Ok(written)
    }

    fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(SCAN_HISTORY).map_err(storage)?;
        let entries = match query.before {
            Some(before) => table.range(..before).map_err(storage)?,
            None => table.iter().map_err(storage)?,
        };
        let mut page = HistoryPage {
            entries: Vec::new(),
            next_before: None,
        };
        for (examined, entry) in entries.rev().enumerate() {
            let (id, value) = entry.map_err(storage)?;
            if page.entries.len() == query.limit || examined == HISTORY_MAX_EXAMINED {
                page.next_before = Some(id.value() + 1);
                break;
            }
            let (millis, bytes) = value.value();
            let entry: HistoryEntry = decode(bytes)?;
            if query.wants(millis, &entry) {
                page.entries.push(entry);
            }
        }
        Ok(page)
    }
}

/// Takes the next `count` scan ids; returns the first.
fn reserve_ids(txn: &WriteTransaction, count: usize) -> Result<u64, StoreError> {
    let count = count as u64;
    let last = raise_counter(txn, "scans", count)?;
    Ok(last - count + 1)
}

/// Removes the entries beyond the newest `max_entries`, and (a bounded
/// number of) those older than `max_age`.
fn prune(
    history: &mut Table<u64, (u64, &'static [u8])>,
    retention: Retention,
    now: SystemTime,
) -> Result<(), StoreError> {
    let Some(last) = history.last().map_err(storage)?.map(|(id, _)| id.value()) else {
        return Ok(());
    };
    let keep_from = (last + 1).saturating_sub(retention.max_entries);
    history
        .retain_in::<u64, _>(..keep_from, |_, _| false)
        .map_err(storage)?;
    let cutoff = unix_millis(now)
        .saturating_sub(u64::try_from(retention.max_age.as_millis()).unwrap_or(u64::MAX));
    for _ in 0..HISTORY_MAX_PRUNED_FOR_AGE {
        let oldest = match history.first().map_err(storage)? {
            Some((id, value)) if value.value().0 < cutoff => id.value(),
            _ => break,
        };
        history.remove(oldest).map_err(storage)?;
    }
    Ok(())
}
