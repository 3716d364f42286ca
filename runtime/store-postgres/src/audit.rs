//! The audit trail of every node in one table: an entry per administrative
//! change, by an id from one sequence.

use barcoded_domain::store::AuditStore;
use barcoded_domain::{AUDIT_MAX_EXAMINED, AuditEntry, AuditPage, AuditQuery};

use crate::sql::{bigint, decode, encode, execute, row, rows, unsigned};
use crate::stock::now;
use crate::{PgStore, StoreError};

/// Entries read per query while a page fills.
const PAGE: i64 = 500;

impl AuditStore for PgStore {
    fn record_audit(&self, entry: &AuditEntry) -> Result<AuditEntry, StoreError> {
        self.wait(self.transact(async |txn| {
            let mut written = entry.clone();
            let id = row(txn, "SELECT nextval('audit_ids')", &[])
                .await?
                .map_or(0, |row| row.get::<_, i64>(0));
            written.id = unsigned(id);
            written.time = now();
            execute(
                txn,
                "INSERT INTO audit (id, record) VALUES ($1, $2)",
                &[&id, &encode(&written)],
            )
            .await?;
            Ok(written)
        }))
    }

    fn audit(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let mut page = AuditPage {
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
                    "SELECT id, record FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2",
                    &[&before, &PAGE],
                )
                .await?;
                for row in &found {
                    let id: i64 = row.try_get(0)?;
                    if page.entries.len() == query.limit || examined == AUDIT_MAX_EXAMINED {
                        page.next_before = Some(unsigned(id) + 1);
                        return Ok(page);
                    }
                    examined += 1;
                    let entry: AuditEntry = decode(row, 1)?;
                    if query.wants(&entry) {
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
