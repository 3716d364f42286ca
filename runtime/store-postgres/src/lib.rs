//! barcoded's store on PostgreSQL, for a fleet of servers sharing one
//! catalog, key set, plugin registry, stock and scan history.
//!
//! It implements the same store traits as the redb store, with the same
//! guarantees, for several processes on several machines at once:
//! - every write is one transaction; bookings lock the order and stock rows
//!   they change (`SELECT ... FOR UPDATE`, upserts), so two nodes booking
//!   against one order line never both take its last units;
//! - each node keeps what it reads on every request in memory. API keys and
//!   recent lookups are kept under a generation counter that every write of
//!   them raises in its own transaction; a node reads the counters at most
//!   every [`COUNTERS_MAX_AGE`], so no answer is staler than that, as with
//!   the redb store. Plugin changes and the quarantine reach every node by
//!   `NOTIFY` ([`listen`]), and a server reloads on the notification;
//! - the schema is created and upgraded by versioned migrations ([`schema`]),
//!   and a node refuses a database whose schema is newer than it knows.
//!
//! The traits are synchronous; calls wait on the async client, whose
//! connections run on the process's Tokio runtime. Callers keep those waits
//! off the runtime's async workers (see [`PgStore::wait`] and
//! `Storage::reads_wait`).

mod audit;
mod catalog;
mod history;
mod keys;
mod links;
mod listen;
mod plugins;
mod schema;
mod sql;
mod stock;
mod tls;
mod topic;
mod transfer;
mod trust;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

use barcoded_domain::lookup_cache::LookupCache;
use barcoded_domain::store::{AsyncReads, Lookup, Pending, Storage, StoreError, StoreState};
use barcoded_domain::{ApiKey, Credentials, Quarantine};

use listen::Watch;
use sql::Failure;
use topic::Topic;

pub use schema::SCHEMA_VERSION;

/// Connections each node keeps to the database at most.
const POOL_SIZE: usize = 16;

/// How long a request waits for a connection, or for one to be made, before
/// it is answered as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How old the generation counters a node answers by may get: a change
/// committed by any node is answered by every node within this time (a
/// revoked key refused, a changed record looked up).
const COUNTERS_MAX_AGE: Duration = Duration::from_millis(2);

/// The store, on one PostgreSQL database; cheap to share behind an `Arc`.
pub struct PgStore {
    /// The process's runtime, which runs the client's connections and the
    /// listener.
    runtime: tokio::runtime::Handle,
    /// The listener, stopped on drop.
    listener: Option<tokio::task::JoinHandle<()>>,
    pool: Pool,
    watch: Arc<Watch>,
    counters: RwLock<Option<Counters>>,
    /// Held by the one request reading the counters: the others wait for
    /// its answer instead of each sending the same query.
    counters_read: tokio::sync::Mutex<()>,
    lookups: LookupCache,
    keys: RwLock<Option<Cached<Arc<Credentials>>>>,
    quarantine: RwLock<Option<Cached<BTreeMap<String, Quarantine>>>>,
}

/// The generation counters, as last read.
#[derive(Clone, Copy)]
struct Counters {
    read: Instant,
    catalog: u64,
    keys: u64,
}

/// What a write changes, so that every node's copies of it are dropped.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change {
    /// Products and barcode records: the `catalog` counter.
    Catalog,
    /// API keys: the `keys` counter.
    Keys,
    /// Plugins and their settings: a notification, on which servers reload.
    Plugins,
    /// The quarantine: a notification.
    Quarantine,
}

/// Something read from the database, with the generation it was read at.
struct Cached<T> {
    generation: u64,
    read: Instant,
    value: T,
}

/// Is this a `postgres://` or `postgresql://` URL, which selects this store?
pub fn is_url(store: &str) -> bool {
    store.starts_with("postgres://") || store.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to the database at `url` (a libpq URL such as
    /// `postgres://barcoded:secret@db.example/barcoded`), creating or
    /// upgrading its schema, and starts listening for other nodes' changes.
    /// Call it inside a multi-threaded Tokio runtime's context, from a
    /// thread that may block (not an async worker): its connections run
    /// on that runtime.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            StoreError::storage("the PostgreSQL store was opened outside an async runtime")
        })?;
        let (rest, tls) = tls::split(url)?;
        let mut config: tokio_postgres::Config = rest.parse().map_err(|e| {
            StoreError::Refused(format!(
                "{} is not a PostgreSQL URL barcoded can use ({e}); write it as \
                 postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                redacted(url)
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config
            .application_name("barcoded")
            .keepalives_idle(Duration::from_secs(10))
            .ssl_mode(tls.postgres_mode());
        let connector = tls.connector()?;
        let manager = Manager::from_config(
            config.clone(),
            connector.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| {
                StoreError::storage(format!("cannot set up the connection pool: {e}")).caused_by(e)
            })?;
        let watch = Arc::new(Watch::default());
        let listening = watch.clone();
        let mut store = PgStore {
            runtime,
            listener: None,
            pool,
            watch,
            counters: RwLock::new(None),
            counters_read: tokio::sync::Mutex::new(()),
            lookups: LookupCache::new(),
            keys: RwLock::new(None),
            quarantine: RwLock::new(None),
        };
        store
            .wait(schema::migrate(&store.pool))
            .map_err(|error| match error {
                StoreError::Unavailable { detail, cause } => StoreError::Unavailable {
                    cause,
                    detail: format!("cannot reach the database at {}: {detail}", redacted(url)),
                },
                error => error,
            })?;
        // Only once the database answered: a node that cannot reach it at
        // start says so once, as an error, and does not start. Then the
        // store waits (a while) for its first LISTEN, so that what the
        // server reads next cannot predate a change it did not hear, and
        // the first notification connection does not look like a change.
        let (heard, first) = std::sync::mpsc::sync_channel(1);
        store.listener = Some(
            store
                .runtime
                .spawn(listen::listen(config, connector, listening, heard)),
        );
        let _ = first.recv_timeout(CONNECT_TIMEOUT);
        Ok(store)
    }

    /// Runs `work` to completion on the calling thread, its I/O driven by
    /// the runtime's workers. The service calls only from threads that may
    /// block (Tokio's blocking pool, its history writer, the command line's
    /// main thread), never from an async worker, which this would stall.
    fn wait<T>(&self, work: impl Future<Output = Result<T, Failure>>) -> Result<T, StoreError> {
        self.runtime.block_on(work).map_err(StoreError::from)
    }

    /// A connection from the pool.
    async fn client(&self) -> Result<deadpool_postgres::Client, Failure> {
        self.pool.get().await.map_err(Failure::from)
    }

    /// Runs `f` in one transaction and commits it; a transaction that lost
    /// a race with another node's (a serialization failure, a deadlock, a
    /// unique key taken meanwhile) is run again from the start.
    async fn transact<R>(
        &self,
        mut f: impl AsyncFnMut(&deadpool_postgres::Transaction<'_>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut attempt = 0;
        loop {
            let mut client = self.client().await?;
            let txn = client.transaction().await?;
            let outcome = match f(&txn).await {
                Ok(result) => txn.commit().await.map(|()| result).map_err(Failure::from),
                Err(failure) => Err(failure),
            };
            match outcome {
                Err(failure) if failure.is_retryable() && attempt < sql::MAX_RETRIES => {
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Runs `f` in one transaction that also records `changes`, so that
    /// every node drops what it kept of them; this node does at once.
    pub(crate) fn write<R>(
        &self,
        changes: &[Change],
        mut f: impl AsyncFnMut(&deadpool_postgres::Transaction<'_>) -> Result<R, Failure>,
    ) -> Result<R, StoreError> {
        let written = self.wait(self.transact(async |txn| {
            let result = f(txn).await?;
            for change in changes {
                match change {
                    Change::Catalog => sql::raise_counter(txn, "catalog").await?,
                    Change::Keys => sql::raise_counter(txn, "keys").await?,
                    Change::Plugins => sql::notify(txn, Topic::Plugins).await?,
                    Change::Quarantine => sql::notify(txn, Topic::Quarantine).await?,
                }
            }
            Ok(result)
        }));
        for change in changes {
            match change {
                Change::Catalog | Change::Keys => {
                    *self.counters.write().unwrap_or_else(|p| p.into_inner()) = None;
                }
                Change::Plugins => self.watch.bump(Topic::Plugins),
                Change::Quarantine => self.watch.bump(Topic::Quarantine),
            }
        }
        written
    }

    /// The counters as last read, if no older than [`COUNTERS_MAX_AGE`].
    fn fresh_counters(&self) -> Option<Counters> {
        let counters = (*self.counters.read().unwrap_or_else(|p| p.into_inner()))?;
        (counters.read.elapsed() < COUNTERS_MAX_AGE).then_some(counters)
    }

    /// The generation counters, read again when older than
    /// [`COUNTERS_MAX_AGE`], by one request at a time.
    async fn counters(&self) -> Result<Counters, Failure> {
        if let Some(counters) = self.fresh_counters() {
            return Ok(counters);
        }
        let _reading = self.counters_read.lock().await;
        // A read that began while this one waited is as fresh as its own.
        if let Some(counters) = self.fresh_counters() {
            return Ok(counters);
        }
        let read = Instant::now();
        let client = self.client().await?;
        let found = sql::rows(
            &client,
            "SELECT name, value FROM counters WHERE name IN ('catalog', 'keys')",
            &[],
        )
        .await?;
        let (mut catalog, mut keys) = (0, 0);
        for row in &found {
            let (name, value): (&str, i64) = (row.try_get(0)?, row.try_get(1)?);
            match name {
                "catalog" => catalog = sql::unsigned(value),
                _ => keys = sql::unsigned(value),
            }
        }
        let counters = Counters {
            read,
            catalog,
            keys,
        };
        *self.counters.write().unwrap_or_else(|p| p.into_inner()) = Some(counters);
        Ok(counters)
    }

    /// The value in `slot` when it was read at `generation` (and within
    /// `max_age`), else read fresh by `read` and kept. With no generation
    /// (a node that cannot hear changes) nothing is kept.
    async fn cached<T: Clone>(
        &self,
        slot: &RwLock<Option<Cached<T>>>,
        generation: Option<u64>,
        max_age: Duration,
        read: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        if let (Some(generation), Some(cached)) =
            (generation, &*slot.read().unwrap_or_else(|p| p.into_inner()))
            && cached.generation == generation
            && cached.read.elapsed() < max_age
        {
            return Ok(cached.value.clone());
        }
        let read_at = Instant::now();
        let value = read.await?;
        if let Some(generation) = generation {
            *slot.write().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
                generation,
                read: read_at,
                value: value.clone(),
            });
        }
        Ok(value)
    }
}

/// A request's key and its lookup, awaited on the worker that serves it:
/// the connection's I/O is the runtime's own, so no thread waits.
impl AsyncReads for PgStore {
    fn authenticate<'a>(&'a self, secret: &'a str) -> Pending<'a, Option<ApiKey>> {
        Box::pin(async move { Ok(self.authenticate_async(secret).await?) })
    }

    fn lookup<'a>(&'a self, code: &'a str, uom: Option<&'a str>) -> Pending<'a, Option<Lookup>> {
        Box::pin(async move { Ok(self.lookup_async(code, uom).await?) })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Without waiting: the last handle may go inside an async task.
        if let Some(listener) = self.listener.take() {
            listener.abort();
        }
    }
}

impl Storage for PgStore {
    /// Every call waits on the database server, whatever its cache holds:
    /// the generation counters are read again every few milliseconds.
    fn reads_wait(&self) -> bool {
        true
    }

    fn async_reads(&self) -> Option<&dyn AsyncReads> {
        Some(self)
    }

    fn state(&self) -> StoreState {
        let probe = async {
            let client = self.client().await?;
            client.simple_query("SELECT 1").await?;
            Ok(())
        };
        match self.wait(probe) {
            Ok(()) => StoreState::Ok,
            Err(_) => StoreState::Unreadable,
        }
    }

    fn size_bytes(&self) -> Option<u64> {
        self.wait(async {
            let client = self.client().await?;
            let row = client
                .query_one("SELECT pg_database_size(current_database())", &[])
                .await?;
            Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
        })
        .ok()
    }
}

/// URL parameters whose values stay out of messages: the password, and
/// where certificates and keys are kept.
const SECRET_PARAMETERS: [&str; 4] = ["password", "sslrootcert", "sslcert", "sslkey"];

/// `url` with any password replaced, for messages and logs: the one in
/// the user part (whatever characters it holds: everything before the last
/// `@` but the user name is hidden) and a `password=` parameter.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "the store URL".into();
    };
    let rest = match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{user}:***@{host}")
        }
        None => rest.to_owned(),
    };
    let Some((location, query)) = rest.split_once('?') else {
        return format!("{scheme}://{rest}");
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _))
                if SECRET_PARAMETERS
                    .iter()
                    .any(|s| key.eq_ignore_ascii_case(s)) =>
            {
                format!("{key}=***")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{scheme}://{location}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            redacted("postgres://app:s3cret@db:5432/barcoded?sslmode=disable"),
            "postgres://app:***@db:5432/barcoded?sslmode=disable"
        );
        assert_eq!(redacted("postgres://db/barcoded"), "postgres://db/barcoded");
        assert!(!redacted("postgres://a:b:c@d@h/x").contains("b:c"));
        for leaky in [
            "postgres://app:pa/ss?w@db/barcoded",
            "postgres://app@db/barcoded?sslmode=disable&password=pa/ss",
            "postgres://db/barcoded?PASSWORD=pa/ss",
            "postgres://db/barcoded?sslmode=verify-full&sslrootcert=/home/pa/ss.pem",
        ] {
            let shown = redacted(leaky);
            assert!(
                !shown.contains("pa/ss") && !shown.contains("ss?w"),
                "{shown}"
            );
            assert!(shown.contains("db"), "{shown}");
        }
        assert!(is_url("postgresql://h/d") && is_url("postgres://h/d") && !is_url("data"));
    }
}
