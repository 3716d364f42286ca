//! What a query can fail with, how that reaches the service, and the few
//! helpers every table's code uses.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use barcoded_domain::store::StoreError;

/// How often a transaction that lost a race is run again.
pub(crate) const MAX_RETRIES: u32 = 8;

/// Why a database call failed: a rule of the service (already a
/// [`StoreError`]), or the database.
#[derive(Debug)]
pub(crate) enum Failure {
    Store(StoreError),
    Database(tokio_postgres::Error),
    Pool(deadpool_postgres::PoolError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure::Store(error)
    }
}

impl From<barcoded_domain::Invalid> for Failure {
    fn from(invalid: barcoded_domain::Invalid) -> Failure {
        Failure::Store(invalid.into())
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(error: tokio_postgres::Error) -> Failure {
        Failure::Database(error)
    }
}

impl From<deadpool_postgres::PoolError> for Failure {
    fn from(error: deadpool_postgres::PoolError) -> Failure {
        Failure::Pool(error)
    }
}

impl Failure {
    /// A race with another transaction, which running again resolves.
    pub(crate) fn is_retryable(&self) -> bool {
        let Failure::Database(error) = self else {
            return false;
        };
        [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::UNIQUE_VIOLATION,
        ]
        .iter()
        .any(|state| error.code() == Some(state))
    }
}

impl From<Failure> for StoreError {
    /// A database that cannot be reached, is shutting down, or is out of
    /// room is unavailable (a retry may work); anything else is a failure.
    fn from(failure: Failure) -> StoreError {
        match failure {
            Failure::Store(error) => error,
            Failure::Pool(error) => StoreError::unavailable(described(&error)).caused_by(error),
            Failure::Database(error) => {
                let unavailable = match error.code() {
                    // 08: connection; 53: insufficient resources; 57P: shutdown.
                    Some(code) => ["08", "53", "57P"]
                        .iter()
                        .any(|c| code.code().starts_with(c)),
                    // No answer from the server: the connection is gone.
                    None => {
                        error.is_closed()
                            || std::error::Error::source(&error)
                                .is_some_and(|source| source.is::<std::io::Error>())
                    }
                };
                let detail = described(&error);
                if unavailable {
                    StoreError::unavailable(detail)
                } else {
                    StoreError::storage(detail)
                }
                .caused_by(error)
            }
        }
    }
}

/// A database error for a message, with what to do when it is one of TLS's.
fn described(error: &dyn std::error::Error) -> String {
    let text = chain(error);
    let hint = if text.contains("no encryption") {
        " (the server takes only TLS connections from here: use sslmode=verify-full with \
         sslrootcert, or at least sslmode=require)"
    } else if text.contains("invalid peer certificate") {
        " (the database's certificate was not accepted: sslrootcert must be the authority \
         that signed it, and with sslmode=verify-full the URL's host must be a name on it)"
    } else if text.contains("server does not support TLS") {
        " (the server speaks no TLS: turn ssl on in its configuration, or use sslmode=prefer)"
    } else {
        ""
    };
    format!("database: {text}{hint}")
}

/// An error and what caused it: the client says "db error", the server's
/// own message (`FATAL: database "x" does not exist`) is its source.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        // Wrappers often print their cause already.
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Runs `query` (prepared once per connection) and returns its rows.
///
/// PostgreSQL's text cannot hold NUL, and the store never holds one (the
/// domain's rules refuse control characters), so a query for text with a
/// NUL finds nothing, rather than failing. Inside a write transaction the
/// failure would still abort the transaction: writes check their text with
/// [`holds_nul`] before they query.
pub(crate) async fn rows(
    client: &impl GenericClient,
    query: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, Failure> {
    let statement = client.prepare_cached(query).await?;
    match client.query(&statement, params).await {
        Err(error) if error.code() == Some(&SqlState::CHARACTER_NOT_IN_REPERTOIRE) => {
            Ok(Vec::new())
        }
        found => Ok(found?),
    }
}

/// Runs `query` and returns its one row, if any (see [`rows`]).
pub(crate) async fn row(
    client: &impl GenericClient,
    query: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, Failure> {
    Ok(rows(client, query, params).await?.into_iter().next())
}

/// The record in the first column of the row `query` finds, if any.
pub(crate) async fn record<T: serde::de::DeserializeOwned>(
    client: &impl GenericClient,
    query: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<T>, Failure> {
    match row(client, query, params).await? {
        Some(found) => Ok(Some(decode(&found, 0)?)),
        None => Ok(None),
    }
}

/// The records in the first column of every row `query` finds.
pub(crate) async fn records<T: serde::de::DeserializeOwned>(
    client: &impl GenericClient,
    query: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<T>, Failure> {
    let found = rows(client, query, params).await?;
    found.iter().map(|row| decode(row, 0)).collect()
}

/// Whether any of `texts` holds a NUL, which no stored text does.
pub(crate) fn holds_nul(texts: &[&str]) -> bool {
    texts.iter().any(|text| text.contains('\0'))
}

/// Runs `statement` and returns how many rows it changed.
pub(crate) async fn execute(
    client: &impl GenericClient,
    statement: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, Failure> {
    let prepared = client.prepare_cached(statement).await?;
    Ok(client.execute(&prepared, params).await?)
}

/// Tells every node, when the transaction commits, that `topic` changed.
pub(crate) async fn notify(
    client: &impl GenericClient,
    topic: crate::topic::Topic,
) -> Result<(), Failure> {
    execute(client, "SELECT pg_notify($1, '')", &[&topic.channel()]).await?;
    Ok(())
}

/// Raises the generation counter `name` in the transaction of `client`.
pub(crate) async fn raise_counter(client: &impl GenericClient, name: &str) -> Result<(), Failure> {
    execute(
        client,
        "INSERT INTO counters (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
        &[&name],
    )
    .await?;
    Ok(())
}

/// A record as stored: its JSON text.
pub(crate) fn encode<T: serde::Serialize>(record: &T) -> String {
    serde_json::to_string(record).expect("records always serialise")
}

/// The record in column `column` of `row`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    row: &Row,
    column: usize,
) -> Result<T, Failure> {
    let text: &str = row.try_get(column)?;
    serde_json::from_str(text).map_err(|e| {
        Failure::Store(StoreError::storage(format!("corrupt record: {e}")).caused_by(e))
    })
}

/// A count or sequence number as PostgreSQL's `bigint` holds it.
pub(crate) fn bigint(value: u64) -> Result<i64, Failure> {
    i64::try_from(value)
        .map_err(|_| Failure::Store(StoreError::Refused(format!("{value} is out of range"))))
}

/// A `bigint` the store wrote, which is never negative.
pub(crate) fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
