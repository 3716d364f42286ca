//! The scan history of every node in one table: an entry per scan, written
//! in the same transaction as what the scan booked, and pruned by one node
//! at a time as entries arrive.

use std::time::SystemTime;

use barcoded_domain::store::HistoryStore;
use barcoded_domain::{
    HISTORY_MAX_EXAMINED, HISTORY_MAX_PRUNED_FOR_AGE, HistoryEntry, HistoryPage, HistoryQuery,
    RefusedCall, Retention, ScanRecord, unix_millis,
};

use crate::sql::{Failure, bigint, decode, encode, execute, row, rows, unsigned};
use crate::stock::{book, now};
use crate::{PgStore, StoreError};

/// Held (for its transaction) by the node pruning; the others skip it.
const PRUNE_LOCK: i64 = 0x6263_645f_7072_756e;

/// Entries read per query while a history page fills.
const PAGE: i64 = 500;

impl HistoryStore for PgStore {
    fn record_scans(
        &self,
        records: Vec<ScanRecord>,
        retention: Retention,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        self.wait(self.transact(async |txn| {
            let now_ms = unix_millis(SystemTime::now());
            let time = now();
            let count = bigint(records.len() as u64)?;
            let ids = rows(
                txn,
                "SELECT nextval('scan_ids') FROM generate_series(1, $1::bigint)",
                &[&count],
            )
            .await?;
            let mut written = Vec::with_capacity(records.len());
            for (ScanRecord { entry, booking }, id) in records.iter().zip(&ids) {
                let mut entry = entry.clone();
                entry.id = unsigned(id.try_get(0)?);
                entry.time.clone_from(&time);
                if !booking.is_empty() {
                    let actor = entry.actor();
                    // A refused booking is said in its entry; it must not
                    // undo the scans written beside it, so it runs in a
                    // savepoint of its own.
                    txn.batch_execute("SAVEPOINT booking").await?;
                    match book(txn, booking, &actor, &time).await {
                        Ok(booked) => {
                            txn.batch_execute("RELEASE SAVEPOINT booking").await?;
                            entry.actions.movements = booked.movements;
                            entry.actions.receipts = booked.receipts;
                        }
                        Err(Failure::Store(StoreError::Refused(reason))) => {
                            txn.batch_execute("ROLLBACK TO SAVEPOINT booking").await?;
                            entry.actions.refused.push(RefusedCall::booking(&reason));
                        }
                        Err(failure) => return Err(failure),
                    }
                }
                written.push(entry);
            }
            let ids = written
                .iter()
                .map(|e| bigint(e.id))
                .collect::<Result<Vec<_>, _>>()?;
            let texts: Vec<String> = written.iter().map(encode).collect();
            execute(
                txn,
                "INSERT INTO scan_history (id, at_ms, record) \
                 SELECT id, $2, record FROM unnest($1::bigint[], $3::text[]) AS s(id, record)",
                &[&ids, &bigint(now_ms)?, &texts],
            )
            .await?;
            prune(txn, retention, now_ms).await?;
            Ok(written)
        }))
    }

    fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let mut page = HistoryPage {
                entries: Vec::new(),
                next_before: None,
            };
            let mut before = match query.before {
                Some(before) => bigint(before)?,
                None => i64::MAX,
            };
            let mut examined = 0;
            loop {
                let found = rows(
                    &client,
                    "SELECT id, at_ms, record FROM scan_history WHERE id < $1 \
                     ORDER BY id DESC LIMIT $2",
                    &[&before, &PAGE],
                )
                .await?;
                for row in &found {
                    let id: i64 = row.try_get(0)?;
                    if page.entries.len() == query.limit || examined == HISTORY_MAX_EXAMINED {
                        page.next_before = Some(unsigned(id) + 1);
                        return Ok(page);
                    }
                    examined += 1;
                    let entry: HistoryEntry = decode(row, 2)?;
                    if query.wants(unsigned(row.try_get(1)?), &entry) {
                        page.entries.push(entry);
                    }
                    before = id;
                }
                if (found.len() as i64) < PAGE {
                    return Ok(page);
                }
            }
        })
    }
}

/// Removes the entries beyond the newest `max_entries` ids, and (a bounded
/// number of) those older than `max_age`; skipped when another node's
/// transaction is pruning right now.
async fn prune(
    txn: &deadpool_postgres::Transaction<'_>,
    retention: Retention,
    now_ms: u64,
) -> Result<(), Failure> {
    let locked = row(txn, "SELECT pg_try_advisory_xact_lock($1)", &[&PRUNE_LOCK])
        .await?
        .is_some_and(|r| r.get::<_, bool>(0));
    if !locked {
        return Ok(());
    }
    let keep = bigint(retention.max_entries)?;
    execute(
        txn,
        "DELETE FROM scan_history WHERE id <= (SELECT max(id) FROM scan_history) - $1",
        &[&keep],
    )
    .await?;
    let max_age = u64::try_from(retention.max_age.as_millis()).unwrap_or(u64::MAX);
    let cutoff = bigint(now_ms.saturating_sub(max_age))?;
    execute(
        txn,
        "DELETE FROM scan_history WHERE id IN \
         (SELECT id FROM scan_history WHERE at_ms < $1 ORDER BY at_ms LIMIT $2)",
        &[&cutoff, &bigint(HISTORY_MAX_PRUNED_FOR_AGE as u64)?],
    )
    .await?;
    Ok(())
}
