//! API keys, checked on every request against a copy kept in memory while
//! the `keys` generation counter is unchanged.

use std::sync::Arc;
use std::time::Duration;

use barcoded_domain::store::KeyStore;
use barcoded_domain::{ApiKey, Credentials, Role, StoredKey, key_name_taken, no_such_key};

use crate::sql::{encode, execute, holds_nul, records};
use crate::{Change, PgStore, StoreError};

impl KeyStore for PgStore {
    fn create_key(&self, name: &str, role: Role) -> Result<String, StoreError> {
        let (key, secret) = StoredKey::create(name, role)?;
        self.write_keys(async |txn| {
            let added = execute(
                txn,
                "INSERT INTO api_keys (name, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&name, &encode(&key)],
            )
            .await?;
            if added == 0 {
                return Err(key_name_taken(name).into());
            }
            Ok(())
        })?;
        Ok(secret)
    }

    fn list_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let stored = self.wait(stored_keys(self))?;
        Ok(stored.into_iter().map(|stored| stored.key).collect())
    }

    fn revoke_key(&self, name: &str) -> Result<(), StoreError> {
        if holds_nul(&[name]) {
            return Err(no_such_key(name));
        }
        self.write_keys(async |txn| {
            match execute(txn, "DELETE FROM api_keys WHERE name = $1", &[&name]).await? {
                0 => Err(no_such_key(name).into()),
                _ => Ok(()),
            }
        })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        self.wait(self.authenticate_async(secret))
    }
}

impl PgStore {
    /// [`KeyStore::authenticate`], awaited: the keys are read again only
    /// when another node's write raised their generation.
    pub(crate) async fn authenticate_async(
        &self,
        secret: &str,
    ) -> Result<Option<ApiKey>, crate::Failure> {
        let generation = Some(self.counters().await?.keys);
        let read = async { Ok(Arc::new(Credentials::new(stored_keys(self).await?))) };
        let credentials = self
            .cached(&self.keys, generation, Duration::MAX, read)
            .await?;
        Ok(credentials.authenticate(secret))
    }

    fn write_keys(
        &self,
        f: impl AsyncFnMut(&deadpool_postgres::Transaction<'_>) -> Result<(), crate::Failure>,
    ) -> Result<(), StoreError> {
        self.write(&[Change::Keys], f)
    }
}

async fn stored_keys(store: &PgStore) -> Result<Vec<StoredKey>, crate::Failure> {
    let client = store.client().await?;
    records(&client, "SELECT record FROM api_keys ORDER BY name", &[]).await
}
