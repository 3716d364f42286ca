//! Trusted publishers and the signature policy, shared by the fleet. Every
//! change notifies the plugins' topic, so that every node reloads and
//! applies it.

use barcoded_domain::store::TrustStore;
use barcoded_domain::{Trust, TrustedKey};

use crate::sql::{decode, encode, execute, holds_nul, records, row};
use crate::{Change, PgStore, StoreError};

/// The setting that makes every plugin need a trusted signature.
pub(crate) const REQUIRE_SIGNED: &str = "require_signed";

impl TrustStore for PgStore {
    fn trust(&self) -> Result<Trust, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let keys = records(
                &client,
                "SELECT record FROM trusted_keys ORDER BY name",
                &[],
            )
            .await?;
            let require_signed = row(
                &client,
                "SELECT value FROM settings WHERE name = $1",
                &[&REQUIRE_SIGNED],
            )
            .await?
            .is_some_and(|row| row.get::<_, &str>(0) == "true");
            Ok(Trust {
                keys,
                require_signed,
            })
        })
    }

    fn add_trusted_key(&self, key: &TrustedKey) -> Result<(), StoreError> {
        self.write(&[Change::Plugins], async |txn| {
            let taken = row(
                txn,
                "SELECT name FROM trusted_keys WHERE name = $1 OR public_key = $2",
                &[&key.name, &key.public_key],
            )
            .await?;
            if let Some(taken) = taken {
                let name: String = taken.try_get(0)?;
                return Err(StoreError::Refused(if name == key.name {
                    format!(
                        "a publisher named {name} is trusted already; remove it first, or \
                         choose another name"
                    )
                } else {
                    format!("this key is trusted already, as {name}")
                })
                .into());
            }
            execute(
                txn,
                "INSERT INTO trusted_keys (name, public_key, record) VALUES ($1, $2, $3)",
                &[&key.name, &key.public_key, &encode(key)],
            )
            .await?;
            Ok(())
        })
    }

    fn remove_trusted_key(&self, name: &str) -> Result<TrustedKey, StoreError> {
        let missing = || {
            StoreError::NotFound(format!(
                "no publisher named {name} is trusted; `barcoded trust list` shows them"
            ))
        };
        if holds_nul(&[name]) {
            return Err(missing());
        }
        self.write(&[Change::Plugins], async |txn| {
            let removed = row(
                txn,
                "DELETE FROM trusted_keys WHERE name = $1 RETURNING record",
                &[&name],
            )
            .await?
            .ok_or_else(missing)?;
            decode(&removed, 0)
        })
    }

    fn set_require_signed(&self, on: bool) -> Result<(), StoreError> {
        let value = if on { "true" } else { "false" };
        self.write(&[Change::Plugins], async |txn| {
            execute(
                txn,
                "INSERT INTO settings (name, value) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                &[&REQUIRE_SIGNED, &value],
            )
            .await?;
            Ok(())
        })
    }
}
