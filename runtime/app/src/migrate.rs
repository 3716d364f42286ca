//! Moving a whole store to another backend (redb to PostgreSQL, and back),
//! then checking the copy record by record.

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::transfer::{Record, Tally};

use crate::place::StorePlace;

/// Records written to the target per transaction.
const BATCH_RECORDS: usize = 1000;

/// Bytes of components written per transaction, at most (beyond one).
const BATCH_BYTES: usize = 64 << 20;

/// Why a migration did not happen, or did not check out.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the target already holds records; migrate only into an empty store (a new database, \
         or a data folder without catalog.redb). If an earlier migration stopped midway, empty \
         the target and run it again"
    )]
    TargetNotEmpty,
    #[error(
        "the copy differs from the source in {0}: the source changed while it was copied (stop \
         every server using it first), or the target was written meanwhile. Empty the target \
         and run again"
    )]
    Differs(String),
    #[error("--from and --to name the same store")]
    SameStore,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Copies every record of the store at `from` into the empty one at `to`
/// (created if need be), calling `progress` with the records copied so far
/// after every batch, then reads the copy back and compares it with the
/// source kind by kind. Returns the tally both agree on. Blocks: call it
/// where a thread may.
pub fn migrate(
    from: &StorePlace,
    to: &StorePlace,
    progress: &mut dyn FnMut(u64),
) -> Result<Tally, MigrateError> {
    if from == to {
        return Err(MigrateError::SameStore);
    }
    let source = from.open()?;
    let target = to.open()?;
    copy(source.as_ref(), target.as_ref(), progress)
}

fn copy(
    source: &dyn Storage,
    target: &dyn Storage,
    progress: &mut dyn FnMut(u64),
) -> Result<Tally, MigrateError> {
    if !target.is_empty()? {
        return Err(MigrateError::TargetNotEmpty);
    }
    let mut tally = Tally::default();
    let mut batch = Vec::with_capacity(BATCH_RECORDS);
    let mut batch_bytes = 0;
    source.export_records(&mut |record| {
        tally.add(&record);
        if let Record::Component { bytes, .. } = &record {
            batch_bytes += bytes.len();
        }
        batch.push(record);
        if batch.len() == BATCH_RECORDS || batch_bytes >= BATCH_BYTES {
            target.import_records(&batch)?;
            batch.clear();
            batch_bytes = 0;
            progress(tally.records());
        }
        Ok(())
    })?;
    target.import_records(&batch)?;
    progress(tally.records());
    let mut copy = Tally::default();
    target.export_records(&mut |record| {
        copy.add(&record);
        Ok(())
    })?;
    let differing: Vec<&str> = tally
        .rows()
        .iter()
        .zip(copy.rows())
        .filter(|(source, copy)| **source != *copy)
        .map(|((kind, ..), _)| kind.name())
        .collect();
    if !differing.is_empty() {
        return Err(MigrateError::Differs(differing.join(", ")));
    }
    Ok(tally)
}
