//! The plugin registry, the components every node loads, scan counts and
//! the quarantine. A change of a plugin notifies every node, whose server
//! then reloads; components are stored once, by digest.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use barcoded_domain::store::{PluginStore, QuarantineStore};
use barcoded_domain::{PluginRecord, Quarantine};

use crate::sql::{
    Failure, bigint, decode, encode, execute, holds_nul, record, records, row, rows, unsigned,
};
use crate::topic::Topic;
use crate::{Change, PgStore, StoreError};

/// The quarantine is read every second by every server; it is kept until a
/// node changes it, and read again at least this often regardless.
const QUARANTINE_MAX_AGE: Duration = Duration::from_secs(10);

impl PluginStore for PgStore {
    /// Moves on with every change of a plugin through any node, as heard.
    fn plugins_generation(&self) -> Result<u64, StoreError> {
        Ok(self.watch.current(Topic::Plugins))
    }

    fn plugins(&self) -> Result<Vec<PluginRecord>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            records(&client, "SELECT record FROM plugins ORDER BY name", &[]).await
        })
    }

    fn plugin(&self, name: &str) -> Result<Option<PluginRecord>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            record(
                &client,
                "SELECT record FROM plugins WHERE name = $1",
                &[&name],
            )
            .await
        })
    }

    fn put_plugin(&self, record: &PluginRecord) -> Result<(), StoreError> {
        self.change_plugins(async |txn| {
            execute(
                txn,
                "INSERT INTO plugins (name, record) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record",
                &[&record.name, &encode(record)],
            )
            .await?;
            Ok(())
        })
    }

    fn update_plugin(
        &self,
        name: &str,
        f: &mut dyn FnMut(&mut PluginRecord),
    ) -> Result<PluginRecord, StoreError> {
        if holds_nul(&[name]) {
            return Err(no_such_plugin(name));
        }
        self.change_plugins(async |txn| {
            let found = row(
                txn,
                "SELECT record FROM plugins WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .await?
            .ok_or_else(|| no_such_plugin(name))?;
            let mut record: PluginRecord = decode(&found, 0)?;
            f(&mut record);
            execute(
                txn,
                "UPDATE plugins SET record = $2 WHERE name = $1",
                &[&name, &encode(&record)],
            )
            .await?;
            Ok(record)
        })
    }

    fn remove_plugin(&self, name: &str) -> Result<PluginRecord, StoreError> {
        if holds_nul(&[name]) {
            return Err(no_such_plugin(name));
        }
        self.write(&[Change::Plugins, Change::Quarantine], async |txn| {
            let found = row(
                txn,
                "DELETE FROM plugins WHERE name = $1 RETURNING record",
                &[&name],
            )
            .await?
            .ok_or_else(|| no_such_plugin(name))?;
            execute(
                txn,
                "DELETE FROM plugin_quarantine WHERE name = $1",
                &[&name],
            )
            .await?;
            execute(txn, "DELETE FROM plugin_stats WHERE name = $1", &[&name]).await?;
            decode(&found, 0)
        })
    }

    fn add_plugin_stats(&self, deltas: &[(String, u64, u64)]) -> Result<(), StoreError> {
        self.wait(self.transact(async |txn| {
            for (name, scans, failures) in deltas {
                execute(
                    txn,
                    "INSERT INTO plugin_stats (name, scans, failures) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO UPDATE SET \
                     scans = least(plugin_stats.scans + EXCLUDED.scans, 9223372036854775807), \
                     failures = least(plugin_stats.failures + EXCLUDED.failures, 9223372036854775807)",
                    &[name, &bigint(*scans)?, &bigint(*failures)?],
                )
                .await?;
            }
            Ok(())
        }))
    }

    fn plugin_stats(&self) -> Result<BTreeMap<String, (u64, u64)>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = rows(
                &client,
                "SELECT name, scans, failures FROM plugin_stats",
                &[],
            )
            .await?;
            found
                .iter()
                .map(|r| {
                    let counts = (unsigned(r.try_get(1)?), unsigned(r.try_get(2)?));
                    Ok((r.try_get(0)?, counts))
                })
                .collect()
        })
    }

    fn code_cache_digest(&self, file_name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = row(
                &client,
                "SELECT digest FROM code_cache WHERE file_name = $1",
                &[&file_name],
            )
            .await?;
            Ok(match found {
                Some(found) => Some(found.try_get(0)?),
                None => None,
            })
        })
    }

    fn record_code_cache_digest(&self, file_name: &str, digest: &[u8]) -> Result<(), StoreError> {
        self.wait(async {
            let client = self.client().await?;
            execute(
                &client,
                "INSERT INTO code_cache (file_name, digest) VALUES ($1, $2) \
                 ON CONFLICT (file_name) DO UPDATE SET digest = EXCLUDED.digest",
                &[&file_name, &digest],
            )
            .await?;
            Ok(())
        })
    }

    fn put_component(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.wait(async {
            let client = self.client().await?;
            execute(
                &client,
                "INSERT INTO components (digest, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&digest, &bytes],
            )
            .await?;
            Ok(())
        })
    }

    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = row(
                &client,
                "SELECT bytes FROM components WHERE digest = $1",
                &[&digest],
            )
            .await?;
            Ok(match found {
                Some(found) => Some(found.try_get(0)?),
                None => None,
            })
        })
    }
}

impl QuarantineStore for PgStore {
    fn quarantine_plugin(&self, name: &str, reason: &str) -> Result<(), StoreError> {
        let record = Quarantine {
            since: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            reason: reason.to_owned(),
        };
        self.change_quarantine(async |txn| {
            execute(
                txn,
                "INSERT INTO plugin_quarantine (name, record) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record",
                &[&name, &encode(&record)],
            )
            .await?;
            Ok(())
        })
    }

    fn release_plugin(&self, name: &str) -> Result<bool, StoreError> {
        self.change_quarantine(async |txn| {
            let removed = execute(
                txn,
                "DELETE FROM plugin_quarantine WHERE name = $1",
                &[&name],
            )
            .await?;
            Ok(removed > 0)
        })
    }

    fn quarantined_plugins(&self) -> Result<BTreeMap<String, Quarantine>, StoreError> {
        let generation = self.watch.generation(Topic::Quarantine);
        let read = async {
            let client = self.client().await?;
            let found = rows(&client, "SELECT name, record FROM plugin_quarantine", &[]).await?;
            found
                .iter()
                .map(|r| Ok((r.try_get(0)?, decode(r, 1)?)))
                .collect()
        };
        self.wait(self.cached(&self.quarantine, generation, QUARANTINE_MAX_AGE, read))
    }
}

impl PgStore {
    fn change_plugins<R>(
        &self,
        f: impl AsyncFnMut(&deadpool_postgres::Transaction<'_>) -> Result<R, Failure>,
    ) -> Result<R, StoreError> {
        self.write(&[Change::Plugins], f)
    }

    fn change_quarantine<R>(
        &self,
        f: impl AsyncFnMut(&deadpool_postgres::Transaction<'_>) -> Result<R, Failure>,
    ) -> Result<R, StoreError> {
        self.write(&[Change::Quarantine], f)
    }
}

fn no_such_plugin(name: &str) -> StoreError {
    StoreError::NotFound(format!(
        "no plugin named {name:?} is installed; `barcoded plugin list` shows those that are"
    ))
}
