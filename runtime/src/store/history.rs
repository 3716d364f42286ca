//! The scan history: an entry per scan, written in the same transaction as
//! what the scan booked, and pruned by age and count as entries arrive.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redb::{ReadableTable, Table, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::schema::{COUNTERS, SCAN_HISTORY};
use super::stock::{self, Actor, Booking, Movement, ReceivedLine};
use super::{Store, StoreError, decode, encode, storage};

/// Most entries one history query reads before it returns a page, full or
/// not, with a cursor to go on from.
const MAX_EXAMINED: usize = 20_000;

/// Most entries removed for age in one write, so that catching up on a
/// long-idle history never makes one scan's write slow.
const MAX_PRUNED_FOR_AGE: usize = 1_000;

/// One scan, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Sequence number: later scans have higher ones.
    pub id: u64,
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    /// The name of the API key the scan came with; none from the command line.
    pub key: Option<String>,
    pub barcode_data: String,
    pub result: ScanKind,
    /// The plugin that decoded or rejected the data.
    pub plugin: Option<String>,
    pub format: Option<String>,
    pub lookup_code: Option<String>,
    /// How long the plugins and the catalog join took.
    pub duration_us: u64,
    #[serde(default)]
    pub actions: Actions,
}

/// What a scan's answer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanKind {
    Decoded,
    Rejected,
    NoMatch,
    /// No plugin recognised it; it resolved by a linked barcode.
    Linked,
    /// The server failed while answering.
    Error,
}

impl ScanKind {
    const ALL: [ScanKind; 5] = [
        ScanKind::Decoded,
        ScanKind::Rejected,
        ScanKind::NoMatch,
        ScanKind::Linked,
        ScanKind::Error,
    ];

    fn name(self) -> &'static str {
        match self {
            ScanKind::Decoded => "decoded",
            ScanKind::Rejected => "rejected",
            ScanKind::NoMatch => "no-match",
            ScanKind::Linked => "linked",
            ScanKind::Error => "error",
        }
    }
}

impl fmt::Display for ScanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScanKind {
    type Err = String;

    fn from_str(text: &str) -> Result<ScanKind, String> {
        ScanKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                format!("unknown result {text:?}: use decoded, rejected, no-match or error")
            })
    }
}

/// What a scan changed, and what its plugin asked for and did not get.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actions {
    pub movements: Vec<Movement>,
    pub receipts: Vec<ReceivedLine>,
    pub refused: Vec<RefusedCall>,
}

/// A call a plugin made to the server that was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedCall {
    /// `interface.function`, such as `stock.adjust`.
    pub call: String,
    /// `not-granted`, `refused` or `unavailable`, as the plugin was told.
    pub error: String,
    pub reason: String,
}

/// How much history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub max_entries: u64,
    pub max_age: Duration,
}

/// A scan to record, and what it asks to book.
#[derive(Debug, Clone)]
pub struct ScanRecord {
    /// Its `id` and `time` are assigned when it is written.
    pub entry: HistoryEntry,
    pub booking: Booking,
}

/// Which entries a history query wants, newest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Only entries older than this id (the cursor of the previous page).
    pub before: Option<u64>,
    pub limit: usize,
    pub plugin: Option<String>,
    pub key: Option<String>,
    pub result: Option<ScanKind>,
    pub lookup_code: Option<String>,
    pub since: Option<SystemTime>,
    pub until: Option<SystemTime>,
}

/// A page of history, and the cursor for the next one when there may be more.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next_before: Option<u64>,
}

impl HistoryQuery {
    fn wants(&self, millis: u64, entry: &HistoryEntry) -> bool {
        let same = |wanted: &Option<String>, value: &Option<String>| {
            wanted.is_none() || wanted.as_ref() == value.as_ref()
        };
        same(&self.plugin, &entry.plugin)
            && same(&self.key, &entry.key)
            && same(&self.lookup_code, &entry.lookup_code)
            && self.result.is_none_or(|kind| kind == entry.result)
            && self.since.is_none_or(|since| millis >= unix_millis(since))
            && self.until.is_none_or(|until| millis < unix_millis(until))
    }
}

impl Store {
    /// Writes `records` in one transaction: each gets the next id, its
    /// booking is made (or refused whole, which its entry then says), and
    /// history beyond `retention` is pruned. Returns the entries as written.
    pub fn record_scans(
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
                let actor = Actor {
                    plugin: entry.plugin.clone(),
                    key: entry.key.clone(),
                    scan: Some(entry.id),
                };
                match stock::book(&txn, &booking, &actor, &time) {
                    Ok(booked) => {
                        entry.actions.movements = booked.movements;
                        entry.actions.receipts = booked.receipts;
                    }
                    Err(StoreError::Refused(reason)) => entry.actions.refused.push(RefusedCall {
                        call: "booking".into(),
                        error: "refused".into(),
                        reason: format!("nothing was booked: {reason}"),
                    }),
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

    /// A page of the history, newest first.
    pub fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
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
            if page.entries.len() == query.limit || examined == MAX_EXAMINED {
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
    let mut counters = txn.open_table(COUNTERS).map_err(storage)?;
    let last = counters
        .get("scans")
        .map_err(storage)?
        .map_or(0, |last| last.value());
    counters
        .insert("scans", last + count as u64)
        .map_err(storage)?;
    Ok(last + 1)
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
    for _ in 0..MAX_PRUNED_FOR_AGE {
        let oldest = match history.first().map_err(storage)? {
            Some((id, value)) if value.value().0 < cutoff => id.value(),
            _ => break,
        };
        history.remove(oldest).map_err(storage)?;
    }
    Ok(())
}

fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
