//! Every record at once, for `barcoded store migrate`: read inside one
//! repeatable-read snapshot, and written as they are (ids and counts kept)
//! into an empty database.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use barcoded_domain::store::TransferStore;
use barcoded_domain::transfer::Record;
use barcoded_domain::{HistoryEntry, Movement};

use crate::catalog::{each_row, put_barcodes, put_products, snapshot};
use crate::sql::{Failure, bigint, decode, encode, execute, row, unsigned};
use crate::{Change, PgStore, StoreError};

/// How a row of an export query becomes a record.
type Make = fn(&Row) -> Result<Record, Failure>;

/// Every table, in export order: each query selects a whole table in the
/// order of its key, read a page at a time (see [`each_row`]).
const EXPORTS: [(&str, Make); 14] = [
    ("SELECT sku, record FROM products ORDER BY sku", |row| {
        Ok(Record::Product(decode(row, 1)?))
    }),
    ("SELECT id, record FROM barcodes ORDER BY id", |row| {
        Ok(Record::Barcode(decode(row, 1)?))
    }),
    ("SELECT name, record FROM api_keys ORDER BY name", |row| {
        Ok(Record::Key(decode(row, 1)?))
    }),
    ("SELECT name, record FROM plugins ORDER BY name", |row| {
        Ok(Record::Plugin(Box::new(decode(row, 1)?)))
    }),
    (
        "SELECT c.digest, c.bytes FROM components c WHERE EXISTS \
         (SELECT 1 FROM plugins p WHERE p.record::json->>'digest' = c.digest) ORDER BY c.digest",
        |row| {
            Ok(Record::Component {
                digest: row.try_get(0)?,
                bytes: row.try_get(1)?,
            })
        },
    ),
    (
        "SELECT name, scans, failures FROM plugin_stats ORDER BY name",
        |row| {
            Ok(Record::PluginStats {
                name: row.try_get(0)?,
                scans: unsigned(row.try_get(1)?),
                failures: unsigned(row.try_get(2)?),
            })
        },
    ),
    (
        "SELECT name, record FROM plugin_quarantine ORDER BY name",
        |row| {
            Ok(Record::Quarantined {
                name: row.try_get(0)?,
                quarantine: decode(row, 1)?,
            })
        },
    ),
    (
        "SELECT sku, location, level FROM stock ORDER BY sku, location",
        |row| {
            Ok(Record::Level {
                sku: row.try_get(0)?,
                location: row.try_get(1)?,
                level: row.try_get(2)?,
            })
        },
    ),
    (
        "SELECT id, record FROM stock_movements ORDER BY id",
        |row| Ok(Record::Movement(decode(row, 1)?)),
    ),
    (
        "SELECT number, record FROM purchase_orders ORDER BY number",
        |row| Ok(Record::Order(decode(row, 1)?)),
    ),
    (
        "SELECT id, at_ms, record FROM scan_history ORDER BY id",
        |row| {
            Ok(Record::Scan {
                millis: unsigned(row.try_get(1)?),
                entry: decode(row, 2)?,
            })
        },
    ),
    ("SELECT id, record FROM audit ORDER BY id", |row| {
        Ok(Record::Audit(decode(row, 1)?))
    }),
    (
        "SELECT name, record FROM trusted_keys ORDER BY name",
        |row| Ok(Record::Trusted(decode(row, 1)?)),
    ),
    (
        "SELECT value FROM settings WHERE name = 'require_signed'",
        |row| Ok(Record::RequireSigned(row.try_get::<_, &str>(0)? == "true")),
    ),
];

impl TransferStore for PgStore {
    fn export_records(
        &self,
        f: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.wait(async {
            let mut client = self.client().await?;
            let txn = snapshot(&mut client).await?;
            for (query, make) in EXPORTS {
                each_row(&txn, query, &mut |row| f(make(row)?)).await?;
            }
            Ok(())
        })
    }

    fn import_records(&self, records: &[Record]) -> Result<(), StoreError> {
        let everything = [
            Change::Catalog,
            Change::Keys,
            Change::Plugins,
            Change::Quarantine,
        ];
        self.write(&everything, async |txn| import(txn, records).await)
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = row(
                &client,
                "SELECT NOT (EXISTS (SELECT 1 FROM products) OR EXISTS (SELECT 1 FROM barcodes) \
                 OR EXISTS (SELECT 1 FROM api_keys) OR EXISTS (SELECT 1 FROM plugins) \
                 OR EXISTS (SELECT 1 FROM plugin_quarantine) OR EXISTS (SELECT 1 FROM stock) \
                 OR EXISTS (SELECT 1 FROM purchase_orders) OR EXISTS (SELECT 1 FROM scan_history) \
                 OR EXISTS (SELECT 1 FROM audit) OR EXISTS (SELECT 1 FROM trusted_keys))",
                &[],
            )
            .await?;
            Ok(found.is_some_and(|r| r.get::<_, bool>(0)))
        })
    }
}

/// Writes `records` inside `txn`, keeping the sequences past every id.
/// Products, records, movements and scans, the bulk of a store, go in with
/// one statement per kind and batch.
async fn import(txn: &Transaction<'_>, records: &[Record]) -> Result<(), Failure> {
    let (mut products, mut barcodes, mut movements, mut scans) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for record in records {
        match record {
            Record::Product(product) => products.push(product.clone()),
            Record::Barcode(barcode) => barcodes.push(barcode.clone()),
            Record::Movement(movement) => movements.push(movement),
            Record::Scan { millis, entry } => scans.push((*millis, entry)),
            other => import_one(txn, other).await?,
        }
    }
    if !products.is_empty() {
        put_products(txn, &products).await?;
    }
    if !barcodes.is_empty() {
        put_barcodes(txn, &barcodes).await?;
    }
    if !movements.is_empty() {
        put_movements(txn, &movements).await?;
    }
    if !scans.is_empty() {
        put_scans(txn, &scans).await?;
    }
    for (sequence, table) in [
        ("movement_ids", "stock_movements"),
        ("scan_ids", "scan_history"),
        ("audit_ids", "audit"),
    ] {
        let statement = format!(
            "SELECT setval('{sequence}', greatest((SELECT coalesce(max(id), 0) FROM {table}), \
             (SELECT last_value FROM {sequence}), 1))"
        );
        txn.batch_execute(&statement).await?;
    }
    Ok(())
}

/// Writes one record of the kinds a store holds few of.
async fn import_one(txn: &Transaction<'_>, record: &Record) -> Result<(), Failure> {
    match record {
        Record::Key(key) => upsert(txn, "api_keys", "name", &key.key.name, &encode(key)).await,
        Record::Plugin(plugin) => {
            upsert(txn, "plugins", "name", &plugin.name, &encode(plugin)).await
        }
        Record::Component { digest, bytes } => {
            execute(
                txn,
                "INSERT INTO components (digest, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[digest, bytes],
            )
            .await?;
            Ok(())
        }
        Record::PluginStats {
            name,
            scans,
            failures,
        } => {
            execute(
                txn,
                "INSERT INTO plugin_stats (name, scans, failures) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET scans = EXCLUDED.scans, \
                 failures = EXCLUDED.failures",
                &[name, &bigint(*scans)?, &bigint(*failures)?],
            )
            .await?;
            Ok(())
        }
        Record::Quarantined { name, quarantine } => {
            upsert(txn, "plugin_quarantine", "name", name, &encode(quarantine)).await
        }
        Record::Level {
            sku,
            location,
            level,
        } => {
            execute(
                txn,
                "INSERT INTO stock (sku, location, level) VALUES ($1, $2, $3) \
                 ON CONFLICT (sku, location) DO UPDATE SET level = EXCLUDED.level",
                &[sku, location, level],
            )
            .await?;
            Ok(())
        }
        Record::Order(order) => {
            upsert(
                txn,
                "purchase_orders",
                "number",
                &order.number,
                &encode(order),
            )
            .await
        }
        Record::Product(product) => put_products(txn, std::slice::from_ref(product)).await,
        Record::Barcode(barcode) => put_barcodes(txn, std::slice::from_ref(barcode)).await,
        Record::Movement(movement) => put_movements(txn, &[movement]).await,
        Record::Scan { millis, entry } => put_scans(txn, &[(*millis, entry)]).await,
        Record::Trusted(key) => {
            execute(
                txn,
                "INSERT INTO trusted_keys (name, public_key, record) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET public_key = EXCLUDED.public_key, \
                 record = EXCLUDED.record",
                &[&key.name, &key.public_key, &encode(key)],
            )
            .await?;
            Ok(())
        }
        Record::RequireSigned(on) => {
            let value = if *on { "true" } else { "false" };
            execute(
                txn,
                "INSERT INTO settings (name, value) VALUES ('require_signed', $1) \
                 ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                &[&value],
            )
            .await?;
            Ok(())
        }
        Record::Audit(entry) => {
            let id = bigint(entry.id)?;
            execute(
                txn,
                "INSERT INTO audit (id, record) VALUES ($1, $2) \
                 ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record",
                &[&id, &encode(entry)],
            )
            .await?;
            Ok(())
        }
    }
}

async fn put_movements(txn: &Transaction<'_>, movements: &[&Movement]) -> Result<(), Failure> {
    let ids = movements
        .iter()
        .map(|m| bigint(m.id))
        .collect::<Result<Vec<_>, _>>()?;
    let skus: Vec<&str> = movements.iter().map(|m| m.sku.as_str()).collect();
    let texts: Vec<String> = movements.iter().map(encode).collect();
    execute(
        txn,
        "INSERT INTO stock_movements (id, sku, record) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) \
         ON CONFLICT (id) DO UPDATE SET sku = EXCLUDED.sku, record = EXCLUDED.record",
        &[&ids, &skus, &texts],
    )
    .await?;
    Ok(())
}

async fn put_scans(txn: &Transaction<'_>, scans: &[(u64, &HistoryEntry)]) -> Result<(), Failure> {
    let ids = scans
        .iter()
        .map(|(_, e)| bigint(e.id))
        .collect::<Result<Vec<_>, _>>()?;
    let times = scans
        .iter()
        .map(|(ms, _)| bigint(*ms))
        .collect::<Result<Vec<_>, _>>()?;
    let texts: Vec<String> = scans.iter().map(|(_, e)| encode(e)).collect();
    execute(
        txn,
        "INSERT INTO scan_history (id, at_ms, record) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) \
         ON CONFLICT (id) DO UPDATE SET at_ms = EXCLUDED.at_ms, record = EXCLUDED.record",
        &[&ids, &times, &texts],
    )
    .await?;
    Ok(())
}

/// Writes `record` under `key` in a (key, record) table.
async fn upsert(
    client: &impl GenericClient,
    table: &str,
    key_column: &str,
    key: &str,
    record: &str,
) -> Result<(), Failure> {
    let statement = format!(
        "INSERT INTO {table} ({key_column}, record) VALUES ($1, $2) \
         ON CONFLICT ({key_column}) DO UPDATE SET record = EXCLUDED.record"
    );
    execute(client, &statement, &[&key, &record]).await?;
    Ok(())
}
