//! The scan history: what each scan was, what it booked, and how the
//! history is queried and kept.

use crate::Invalid;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::stock::{Booking, Movement, ReceivedLine};

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
    type Err = Invalid;

    fn from_str(text: &str) -> Result<ScanKind, Invalid> {
        ScanKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                Invalid(format!(
                    "unknown result {text:?}: use decoded, rejected, no-match or error"
                ))
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

impl RefusedCall {
    /// A scan's booking, refused whole: nothing was booked, and `reason` says why.
    pub fn booking(reason: &str) -> RefusedCall {
        RefusedCall {
            call: "booking".into(),
            error: "refused".into(),
            reason: format!("nothing was booked: {reason}"),
        }
    }
}

impl HistoryEntry {
    /// Who a booking this scan asked for is booked for.
    pub fn actor(&self) -> crate::Actor {
        crate::Actor {
            plugin: self.plugin.clone(),
            key: self.key.clone(),
            scan: Some(self.id),
        }
    }
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
    /// Whether `entry`, written at `millis` since the Unix epoch, is one
    /// this query wants.
    pub fn wants(&self, millis: u64, entry: &HistoryEntry) -> bool {
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

/// Milliseconds since the Unix epoch; 0 before it.
pub fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Most entries one history query reads before it returns a page, full or
/// not, with a cursor to go on from.
pub const HISTORY_MAX_EXAMINED: usize = 20_000;

/// Most entries removed for age in one write, so that catching up on a
/// long-idle history never makes one scan's write slow.
pub const HISTORY_MAX_PRUNED_FOR_AGE: usize = 1_000;
