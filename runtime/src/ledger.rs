//! The one writer of the scan history. Scans from every request thread are
//! written in group commits: a busy server pays for one durable commit per
//! batch, not one per scan. A scan that books stock is written at once and
//! waits for the commit that makes its booking durable before it is
//! answered (up to [`GROUP_WINDOW`] longer when it arrives while the writer
//! gathers a batch); a scan that books nothing waits in memory up to that
//! long for others to share its commit.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::store::{HistoryEntry, Retention, ScanRecord, Store, StoreError};

/// Most scans written in one transaction.
const MAX_BATCH: usize = 512;

/// How long a scan that books nothing may wait in memory for others to
/// share its commit. Each commit costs a flush to disk and rewrites the
/// store's allocator state, so at thousands of scans a second one commit per
/// scan would cost more than the scans; a crash loses at most this much of
/// such scans' history.
const GROUP_WINDOW: Duration = Duration::from_millis(5);

/// Hands scans to the writer thread; closing it (or dropping it) waits until
/// every scan handed over is written.
pub struct Ledger {
    jobs: Mutex<Option<Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

struct Job {
    record: ScanRecord,
    /// Where to say how the write went, for a caller that waits.
    reply: Option<oneshot::Sender<Result<HistoryEntry, StoreError>>>,
}

impl Ledger {
    /// Starts the writer thread for `store`, keeping `retention` of history.
    pub fn start(store: Arc<Store>, retention: Retention) -> Result<Ledger, String> {
        let (jobs, queue) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("scan-history".into())
            .spawn(move || write_batches(&store, retention, &queue))
            .map_err(|e| format!("cannot start the history writer: {e}"))?;
        Ok(Ledger {
            jobs: Mutex::new(Some(jobs)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Queues a scan that books nothing; returns at once. The entry is
    /// durable within one commit (milliseconds) unless the process dies first.
    pub fn record(&self, record: ScanRecord) {
        if self
            .send(Job {
                record,
                reply: None,
            })
            .is_err()
        {
            tracing::warn!("a scan finished after the history closed; it is not recorded");
        }
    }

    /// Writes a scan with its booking; completes once both are durable (or
    /// refused).
    pub async fn book(&self, record: ScanRecord) -> Result<HistoryEntry, StoreError> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Storage("the history writer has stopped".into());
        self.send(Job {
            record,
            reply: Some(reply),
        })
        .map_err(|_| closed())?;
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

    fn send(&self, job: Job) -> Result<(), ()> {
        match &*self.jobs.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(jobs) => jobs.send(job).map_err(|_| ()),
            None => Err(()),
        }
    }
}

/// A batch starting with `first`. A scan that waits for its commit is
/// written at once, with whatever queued before it; otherwise the writer
/// sleeps for [`GROUP_WINDOW`] first, so that scans arriving meanwhile join
/// this commit without waking it one by one.
fn gather(first: Job, queue: &Receiver<Job>) -> Vec<Job> {
    if first.reply.is_none() {
        std::thread::sleep(GROUP_WINDOW);
    }
    std::iter::once(first)
        .chain(queue.try_iter().take(MAX_BATCH - 1))
        .collect()
}

impl Drop for Ledger {
    fn drop(&mut self) {
        self.close();
    }
}

/// Writes whatever has queued up, one transaction per batch, until every
/// sender is gone and the queue is empty.
fn write_batches(store: &Store, retention: Retention, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let batch = gather(first, queue);
        let (records, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|job| (job.record, job.reply)).unzip();
        let count = records.len();
        match store.record_scans(records, retention) {
            Ok(entries) => {
                for (entry, reply) in entries.into_iter().zip(replies) {
                    if let Some(reply) = reply {
                        let _ = reply.send(Ok(entry));
                    }
                }
            }
            Err(error) => {
                tracing::error!("cannot write {count} scans to the history: {error}");
                for reply in replies.into_iter().flatten() {
                    let _ = reply.send(Err(StoreError::Storage(error.to_string())));
                }
            }
        }
    }
}
