//! The database's tables, created and upgraded by numbered migrations.
//!
//! `schema_migrations` records each migration applied. A node opening the
//! database applies those it lacks, in order, in one transaction,
//! while holding an advisory lock so that nodes starting together do not
//! race; it refuses a database that has migrations it does not know (a
//! newer barcoded upgraded it), rather than write what it cannot read.
//!
//! Records are JSON text, as in the redb store, so a record can gain an
//! optional field without a migration; the columns beside them are what
//! queries select and order by. Text keys sort by byte (`COLLATE "C"`), as
//! redb's do, so listings come in the same order on either store.

use deadpool_postgres::Pool;

use barcoded_domain::store::StoreError;

use crate::sql::Failure;

/// Every migration, in order; the schema's version is their number.
const MIGRATIONS: &[&str] = &[
    // 1: the tables of barcoded 0.1.
    r#"
    CREATE TABLE products (
        sku text COLLATE "C" PRIMARY KEY,
        record text NOT NULL
    );
    -- A supplier part number to the products listing it.
    CREATE TABLE supplier_parts (
        part text COLLATE "C" NOT NULL,
        sku text COLLATE "C" NOT NULL,
        PRIMARY KEY (part, sku)
    );
    -- Barcode records; (sku, barcode_type, uom) is held by one record.
    CREATE TABLE barcodes (
        id uuid PRIMARY KEY,
        value text COLLATE "C" NOT NULL,
        sku text COLLATE "C" NOT NULL,
        barcode_type text COLLATE "C" NOT NULL,
        uom text COLLATE "C" NOT NULL,
        active boolean NOT NULL,
        record text NOT NULL,
        UNIQUE (sku, barcode_type, uom)
    );
    CREATE INDEX barcodes_by_value ON barcodes (value);
    -- API keys by name: the digest of the secret, never the secret.
    CREATE TABLE api_keys (
        name text COLLATE "C" PRIMARY KEY,
        record text NOT NULL
    );
    CREATE TABLE plugins (
        name text COLLATE "C" PRIMARY KEY,
        record text NOT NULL
    );
    CREATE TABLE plugin_quarantine (
        name text COLLATE "C" PRIMARY KEY,
        record text NOT NULL
    );
    CREATE TABLE plugin_stats (
        name text COLLATE "C" PRIMARY KEY,
        scans bigint NOT NULL,
        failures bigint NOT NULL
    );
    -- Components by the hex SHA-256 of their bytes, for every node to load.
    CREATE TABLE components (
        digest text COLLATE "C" PRIMARY KEY,
        bytes bytea NOT NULL
    );
    -- The SHA-256 of each compiled-code file a node wrote to its own cache.
    CREATE TABLE code_cache (
        file_name text COLLATE "C" PRIMARY KEY,
        digest bytea NOT NULL
    );
    -- The plugins' generation, moved on by every change of a plugin.
    CREATE TABLE counters (
        name text COLLATE "C" PRIMARY KEY,
        value bigint NOT NULL
    );
    CREATE TABLE stock (
        sku text COLLATE "C" NOT NULL,
        location text COLLATE "C" NOT NULL,
        level bigint NOT NULL,
        PRIMARY KEY (sku, location)
    );
    CREATE TABLE stock_movements (
        id bigint PRIMARY KEY,
        sku text COLLATE "C" NOT NULL,
        record text NOT NULL
    );
    CREATE INDEX stock_movements_by_sku ON stock_movements (sku, id);
    CREATE SEQUENCE movement_ids;
    CREATE TABLE purchase_orders (
        number text COLLATE "C" PRIMARY KEY,
        record text NOT NULL
    );
    -- Scans by id, with their time in Unix milliseconds for pruning.
    CREATE TABLE scan_history (
        id bigint PRIMARY KEY,
        at_ms bigint NOT NULL,
        record text NOT NULL
    );
    CREATE INDEX scan_history_by_time ON scan_history (at_ms);
    CREATE SEQUENCE scan_ids;
    "#,
    // 2: the audit trail.
    r#"
    -- Administrative changes by id (see AuditEntry); never pruned.
    CREATE TABLE audit (
        id bigint PRIMARY KEY,
        record text NOT NULL
    );
    CREATE SEQUENCE audit_ids;
    "#,
    // 3: trusted publishers and store-wide settings.
    r#"
    -- Publishers trusted to sign plugins (see TrustedKey).
    CREATE TABLE trusted_keys (
        name text COLLATE "C" PRIMARY KEY,
        public_key text NOT NULL UNIQUE,
        record text NOT NULL
    );
    -- Settings by name: require_signed ('true' or 'false').
    CREATE TABLE settings (
        name text COLLATE "C" PRIMARY KEY,
        value text NOT NULL
    );
    "#,
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Serialises migrations between nodes (an arbitrary, fixed number).
const MIGRATION_LOCK: i64 = 0x6263_645f_6d69_6772;

/// Brings the database's schema up to [`SCHEMA_VERSION`].
pub(crate) async fn migrate(pool: &Pool) -> Result<(), Failure> {
    let mut client = pool.get().await?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                applied timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .or_else(ignore_concurrent_create)?;
    let txn = client.transaction().await?;
    txn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let row = txn
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?;
    let applied: i32 = row.get(0);
    if applied > SCHEMA_VERSION {
        return Err(Failure::Store(StoreError::Refused(format!(
            "the database's schema is at version {applied}, newer than this barcoded knows \
             ({SCHEMA_VERSION}): a newer barcoded upgraded it. Run that version, or restore \
             the database from before the upgrade"
        ))));
    }
    for (version, migration) in (1..).zip(MIGRATIONS).skip(applied as usize) {
        txn.batch_execute(migration).await?;
        txn.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tracing::info!("database schema migrated to version {version}");
    }
    txn.commit().await?;
    Ok(())
}

/// Two nodes creating the bookkeeping table at once: one wins, which is all
/// either wanted.
fn ignore_concurrent_create(error: tokio_postgres::Error) -> Result<(), tokio_postgres::Error> {
    use tokio_postgres::error::SqlState;
    match error.code() {
        Some(code) if *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::DUPLICATE_TABLE => {
            Ok(())
        }
        _ => Err(error),
    }
}
