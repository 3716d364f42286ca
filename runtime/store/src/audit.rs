//! The audit trail: an entry per administrative change, by sequence number.

use redb::ReadableTable;

use super::schema::AUDIT;
use super::stock;
use barcoded_domain::store::AuditStore;
use barcoded_domain::{AUDIT_MAX_EXAMINED, AuditEntry, AuditPage, AuditQuery};

use crate::codec::{decode, encode, raise_counter, storage};
use crate::{Store, StoreError};

impl AuditStore for Store {
    fn record_audit(&self, entry: &AuditEntry) -> Result<AuditEntry, StoreError> {
        let txn = self.write()?;
        let mut written = entry.clone();
        written.id = raise_counter(&txn, "audit", 1)?;
        written.time = stock::now();
        txn.open_table(AUDIT)
            .map_err(storage)?
            .insert(written.id, encode(&written).as_slice())
            .map_err(storage)?;
        self.commit(txn)?;
        Ok(written)
    }

    fn audit(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(AUDIT).map_err(storage)?;
        let entries = match query.before {
            Some(before) => table.range(..before).map_err(storage)?,
            None => table.iter().map_err(storage)?,
        };
        let mut page = AuditPage {
            entries: Vec::new(),
            next_before: None,
        };
        for (examined, entry) in entries.rev().enumerate() {
            let (id, value) = entry.map_err(storage)?;
            if page.entries.len() == query.limit || examined == AUDIT_MAX_EXAMINED {
                page.next_before = Some(id.value() + 1);
                break;
            }
            let entry: AuditEntry = decode(value.value())?;
            if query.wants(&entry) {
                page.entries.push(entry);
            }
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use barcoded_domain::Admin;

    #[test]
    fn entries_page_newest_first_with_a_cursor() {
        let dir = std::env::temp_dir().join(format!("barcoded-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        for n in 0..5 {
            let entry = AuditEntry::new(&Admin::key("ops"), "key.create", &format!("k{n}"), "pos");
            let written = store.record_audit(&entry).unwrap();
            assert_eq!(written.id, n + 1);
            assert!(!written.time.is_empty());
        }
        let mut query = AuditQuery {
            limit: 2,
            ..AuditQuery::default()
        };
        let first = store.audit(&query).unwrap();
        let targets: Vec<_> = first.entries.iter().map(|e| e.target.as_str()).collect();
        assert_eq!(targets, ["k4", "k3"]);
        query.before = first.next_before;
        let second = store.audit(&query).unwrap();
        assert_eq!(second.entries[0].target, "k2");
        query.target = Some("k0".into());
        query.before = None;
        assert_eq!(store.audit(&query).unwrap().entries.len(), 1);
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
