//! The one writer of the scan history. Scans from every request thread are
//! written in group commits: a busy server pays for one durable commit per
//! batch, not one per scan. A scan that books stock is written at once and
//! waits for the commit that makes its booking durable before it is
//! answered (up to [`GROUP_WINDOW`] longer when it arrives while the writer
//! gathers a batch); a scan that books nothing waits in memory up to that
//! long for others to share its commit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{self, Receiver, Sender};
use tokio::sync::oneshot;

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{HistoryEntry, Retention, ScanRecord};

/// Most scans written in one transaction.
const MAX_BATCH: usize = 512;

/// How long a scan that books nothing may wait in memory for others to
/// share its commit. Each commit costs a flush to disk and rewrites the
/// store's allocator state, so at thousands of scans a second one commit per
/// scan would cost more than the scans; a crash loses at most this much of
/// such scans' history.
const GROUP_WINDOW: Duration = Duration::from_millis(5);

/// Most scans waiting to be written. A disk that cannot keep up must not
/// make the server's memory grow without bound: past this, scans that book
/// nothing go unrecorded (and the log says how many), and scans that book
/// something wait for room.
const QUEUE_CAPACITY: usize = 16_384;

/// Hands scans to the writer thread; closing it (or dropping it) waits until
/// every scan handed over is written.
pub struct HistoryWriter {
    jobs: Mutex<Option<Sender<Job>>>,
    /// How much history to keep, read by the writer for each batch.
    retention: Arc<Mutex<Retention>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// Scans left unrecorded because the queue was full.
    dropped: AtomicU64,
}

struct Job {
    record: ScanRecord,
    /// Where to say how the write went, for a caller that waits.
    reply: Option<oneshot::Sender<Result<HistoryEntry, StoreError>>>,
}

impl HistoryWriter {
    /// Starts the writer thread for `store`, keeping `retention` of history.
    pub fn start(store: Arc<dyn Storage>, retention: Retention) -> std::io::Result<HistoryWriter> {
        let (jobs, mut queue) = mpsc::channel(QUEUE_CAPACITY);
        let retention = Arc::new(Mutex::new(retention));
        let kept = retention.clone();
        let writer = std::thread::Builder::new()
            .name("scan-history".into())
            .spawn(move || write_batches(store.as_ref(), &kept, &mut queue))?;
        Ok(HistoryWriter {
            jobs: Mutex::new(Some(jobs)),
            retention,
            writer: Mutex::new(Some(writer)),
            dropped: AtomicU64::new(0),
        })
    }

    /// Keeps `retention` of history from the next batch on.
    pub fn set_retention(&self, retention: Retention) {
        *self.retention.lock().unwrap_or_else(|p| p.into_inner()) = retention;
    }

    /// Queues a scan that books nothing; returns at once. The entry is
    /// durable within one commit (milliseconds) unless the process dies
    /// first, or is left out when [`QUEUE_CAPACITY`] scans already wait.
    pub fn record(&self, record: ScanRecord) {
        let Some(jobs) = self.sender() else {
            tracing::warn!("a scan finished after the history closed; it is not recorded");
            return;
        };
        let job = Job {
            record,
            reply: None,
        };
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if dropped.is_power_of_two() {
                    tracing::warn!(
                        "the scan history cannot keep up: {dropped} scans left unrecorded so far"
                    );
                }
            }
            Err(TrySendError::Closed(_)) => {
                tracing::warn!("the history writer has stopped; a scan is not recorded");
            }
        }
    }

    /// Writes a scan with its booking; completes once both are durable (or
    /// refused).
    pub async fn book(&self, record: ScanRecord) -> Result<HistoryEntry, StoreError> {
        let closed = || StoreError::storage("the history writer has stopped");
        let jobs = self.sender().ok_or_else(closed)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            record,
            reply: Some(reply),
        };
        jobs.send(job).await.map_err(|_| closed())?;
        // Let go of the queue before waiting, so that closing is not held up.
        drop(jobs);
        answer.await.map_err(|_| closed())?
    }

    /// Stops taking scans, and waits until every scan taken is written.
    pub fn close(&self) {
        drop(self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take());
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = writer
            && writer.join().is_err()
        {
            tracing::error!("the history writer panicked");
        }
    }

    /// Scans waiting to be written.
    pub fn queued(&self) -> u64 {
        self.sender()
            .map_or(0, |jobs| (jobs.max_capacity() - jobs.capacity()) as u64)
    }

    /// A handle on the queue, unless the history is closed. Cloned, so that no
    /// lock is held while a send waits for room.
    fn sender(&self) -> Option<Sender<Job>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A batch starting with `first`. A scan that waits for its commit is
/// written at once, with whatever queued before it; otherwise the writer
/// sleeps for [`GROUP_WINDOW`] first, so that scans arriving meanwhile join
/// this commit without waking it one by one.
fn gather(first: Job, queue: &mut Receiver<Job>) -> Vec<Job> {
    if first.reply.is_none() {
        std::thread::sleep(GROUP_WINDOW);
    }
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    batch
}

impl Drop for HistoryWriter {
    fn drop(&mut self) {
        self.close();
    }
}

/// Writes whatever has queued up, one transaction per batch, until every
/// sender is gone and the queue is empty.
fn write_batches(store: &dyn Storage, retention: &Mutex<Retention>, queue: &mut Receiver<Job>) {
    // Scans lost to failed writes since the last one that worked: a failing
    // disk is logged once when it starts and once when it ends, not per batch.
    let mut lost: u64 = 0;
    while let Some(first) = queue.blocking_recv() {
        let batch = gather(first, queue);
        let (records, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|job| (job.record, job.reply)).unzip();
        let count = records.len();
        let retention = *retention.lock().unwrap_or_else(|p| p.into_inner());
        match store.record_scans(records, retention) {
            Ok(entries) => {
                if lost > 0 {
                    tracing::warn!("the scan history is written again; {lost} scans were lost");
                    lost = 0;
                }
                for (entry, reply) in entries.into_iter().zip(replies) {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(entry));
                    }
                }
            }
            Err(error) => {
                if lost == 0 {
                    tracing::error!(
                        "cannot write {count} scans to the history: {error}; further failures \
                         are counted until a write succeeds"
                    );
                }
                lost = lost.saturating_add(count as u64);
                for reply in replies.into_iter().flatten() {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}
