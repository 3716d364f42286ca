//! Products and barcode records. A record's scanned value, SKU, type, unit
//! and state are columns beside its JSON, so that a lookup is one indexed
//! query and the pack rule a unique constraint.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use barcoded_domain::store::{CatalogCounts, CatalogStore, Lookup, resolution_order};
use barcoded_domain::{Barcode, Product};

use crate::sql::{Failure, decode, encode, execute, row, rows, unsigned};
use crate::{Change, PgStore, StoreError};

/// Rows read per query while walking a whole table inside one snapshot.
const PAGE: i64 = 1000;

/// Every active record carrying a value, with its product if there is one.
const ACTIVE_WITH_PRODUCT: &str = "SELECT b.record, p.record FROM barcodes b \
     LEFT JOIN products p ON p.sku = b.sku WHERE b.value = $1 AND b.active";

impl CatalogStore for PgStore {
    fn lookup(&self, code: &str, uom: Option<&str>) -> Result<Option<Lookup>, StoreError> {
        let generation = self.counters()?.catalog;
        if let Some(kept) = self.lookups.get(generation, code, uom) {
            return Ok(kept);
        }
        let found = self.wait(async {
            let client = self.client().await?;
            let mut found = active_with_products(&client, code).await?;
            found.retain(|(barcode, _)| uom.is_none_or(|uom| barcode.uom_code == uom));
            Ok(found
                .into_iter()
                .min_by(|a, b| resolution_order(&a.0, &b.0))
                .map(|(barcode, product)| Lookup { barcode, product }))
        })?;
        self.lookups.put(generation, code, uom, &found);
        Ok(found)
    }

    fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        self.wait(async { product(&self.client().await?, sku).await })
    }

    fn products_by_supplier_part(
        &self,
        part: &str,
        max: usize,
    ) -> Result<Vec<Product>, StoreError> {
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        self.wait(async {
            let client = self.client().await?;
            let found = rows(
                &client,
                "SELECT p.record FROM supplier_parts s JOIN products p ON p.sku = s.sku \
                 WHERE s.part = $1 ORDER BY s.sku LIMIT $2",
                &[&part, &max],
            )
            .await?;
            found.iter().map(|r| decode(r, 0)).collect()
        })
    }

    fn barcode(&self, id: Uuid) -> Result<Option<Barcode>, StoreError> {
        self.wait(async { barcode(&self.client().await?, id).await })
    }

    fn add_barcode(&self, barcode: &Barcode) -> Result<(), StoreError> {
        barcode.validate()?;
        self.write_catalog(async |txn| {
            if self::barcode(txn, barcode.id).await?.is_some() {
                return Err(StoreError::Refused(format!(
                    "a barcode record with id {} exists",
                    barcode.id
                ))
                .into());
            }
            put_barcode(txn, barcode).await
        })
    }

    fn update_barcode(&self, barcode: &Barcode) -> Result<(), StoreError> {
        barcode.validate()?;
        self.write_catalog(async |txn| {
            if self::barcode(txn, barcode.id).await?.is_none() {
                return Err(not_found(barcode.id).into());
            }
            put_barcode(txn, barcode).await
        })
    }

    fn set_barcode_active(&self, id: Uuid, active: bool) -> Result<Barcode, StoreError> {
        self.write_catalog(async |txn| {
            let mut barcode = self::barcode(txn, id).await?.ok_or_else(|| not_found(id))?;
            barcode.is_active = active;
            put_barcode(txn, &barcode).await?;
            Ok(barcode)
        })
    }

    fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        product.validate()?;
        self.write_catalog(async |txn| put_product(txn, product).await)
    }

    fn upsert_batch(&self, products: &[Product], barcodes: &[Barcode]) -> Result<(), StoreError> {
        self.write_catalog(async |txn| {
            for product in products {
                put_product(txn, product).await?;
            }
            for barcode in barcodes {
                match pack_holder(txn, barcode.pack_key()).await? {
                    Some(id) if id != barcode.id => {
                        let kept = Barcode {
                            id,
                            ..barcode.clone()
                        };
                        put_barcode(txn, &kept).await?;
                    }
                    _ => put_barcode(txn, barcode).await?,
                }
            }
            Ok(())
        })
    }

    fn for_each_product(&self, f: &mut dyn FnMut(Product)) -> Result<(), StoreError> {
        self.products_after(None, &mut |product| {
            f(product);
            true
        })
    }

    fn products_after(
        &self,
        after: Option<&str>,
        f: &mut dyn FnMut(Product) -> bool,
    ) -> Result<(), StoreError> {
        self.wait(async {
            let mut client = self.client().await?;
            let txn = snapshot(&mut client).await?;
            let mut after = after.map(str::to_owned);
            loop {
                let page = rows(
                    &txn,
                    "SELECT sku, record FROM products WHERE $1::text IS NULL OR sku > $1 \
                     ORDER BY sku LIMIT $2",
                    &[&after, &PAGE],
                )
                .await?;
                for row in &page {
                    if !f(decode(row, 1)?) {
                        return Ok(());
                    }
                }
                match page.last() {
                    Some(last) if page.len() as i64 == PAGE => after = Some(last.try_get(0)?),
                    _ => return Ok(()),
                }
            }
        })
    }

    fn barcodes_of(&self, sku: &str) -> Result<Vec<Barcode>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = rows(
                &client,
                "SELECT record FROM barcodes WHERE sku = $1 ORDER BY barcode_type, uom",
                &[&sku],
            )
            .await?;
            found.iter().map(|r| decode(r, 0)).collect()
        })
    }

    fn for_each_barcode(&self, f: &mut dyn FnMut(Barcode)) -> Result<(), StoreError> {
        self.wait(async {
            let mut client = self.client().await?;
            let txn = snapshot(&mut client).await?;
            let mut after: Option<Uuid> = None;
            loop {
                let page = rows(
                    &txn,
                    "SELECT id, record FROM barcodes WHERE $1::uuid IS NULL OR id > $1 \
                     ORDER BY id LIMIT $2",
                    &[&after, &PAGE],
                )
                .await?;
                for row in &page {
                    f(decode(row, 1)?);
                }
                match page.last() {
                    Some(last) if page.len() as i64 == PAGE => after = Some(last.try_get(0)?),
                    _ => return Ok(()),
                }
            }
        })
    }

    fn counts(&self) -> Result<CatalogCounts, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let counts = row(
                &client,
                "SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM barcodes)",
                &[],
            )
            .await?
            .ok_or_else(|| StoreError::Storage("counting returned nothing".into()))?;
            Ok(CatalogCounts {
                products: unsigned(counts.try_get(0)?),
                barcodes: unsigned(counts.try_get(1)?),
            })
        })
    }
}

impl PgStore {
    /// Runs `f` in one transaction that raises the catalog's generation.
    pub(crate) fn write_catalog<R>(
        &self,
        f: impl AsyncFnMut(&deadpool_postgres::Transaction<'_>) -> Result<R, Failure>,
    ) -> Result<R, StoreError> {
        self.write(&[Change::Catalog], f)
    }
}

/// A read-only transaction that sees one moment of the database.
pub(crate) async fn snapshot(
    client: &mut deadpool_postgres::Client,
) -> Result<deadpool_postgres::Transaction<'_>, Failure> {
    Ok(client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

pub(crate) async fn active_with_products(
    client: &impl GenericClient,
    value: &str,
) -> Result<Vec<(Barcode, Option<Product>)>, Failure> {
    let found = rows(client, ACTIVE_WITH_PRODUCT, &[&value]).await?;
    found
        .iter()
        .map(|row| {
            let product: Option<&str> = row.try_get(1)?;
            let product = match product {
                Some(_) => Some(decode(row, 1)?),
                None => None,
            };
            Ok((decode(row, 0)?, product))
        })
        .collect()
}

pub(crate) async fn product(
    client: &impl GenericClient,
    sku: &str,
) -> Result<Option<Product>, Failure> {
    match row(
        client,
        "SELECT record FROM products WHERE sku = $1",
        &[&sku],
    )
    .await?
    {
        Some(found) => Ok(Some(decode(&found, 0)?)),
        None => Ok(None),
    }
}

pub(crate) async fn barcode(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Barcode>, Failure> {
    match row(client, "SELECT record FROM barcodes WHERE id = $1", &[&id]).await? {
        Some(found) => Ok(Some(decode(&found, 0)?)),
        None => Ok(None),
    }
}

pub(crate) async fn pack_holder(
    client: &impl GenericClient,
    (sku, barcode_type, uom): (&str, &str, &str),
) -> Result<Option<Uuid>, Failure> {
    let found = row(
        client,
        "SELECT id FROM barcodes WHERE sku = $1 AND barcode_type = $2 AND uom = $3",
        &[&sku, &barcode_type, &uom],
    )
    .await?;
    Ok(match found {
        Some(found) => Some(found.try_get(0)?),
        None => None,
    })
}

/// Writes a product and its supplier part numbers.
pub(crate) async fn put_product(
    client: &impl GenericClient,
    product: &Product,
) -> Result<(), Failure> {
    let sku = product.sku.as_str();
    execute(
        client,
        "INSERT INTO products (sku, record) VALUES ($1, $2) \
         ON CONFLICT (sku) DO UPDATE SET record = EXCLUDED.record",
        &[&sku, &encode(product)],
    )
    .await?;
    execute(client, "DELETE FROM supplier_parts WHERE sku = $1", &[&sku]).await?;
    for entry in &product.supplier_parts {
        execute(
            client,
            "INSERT INTO supplier_parts (part, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&entry.part, &sku],
        )
        .await?;
    }
    Ok(())
}

/// Writes a barcode record, refusing one whose pack another record holds.
pub(crate) async fn put_barcode(
    client: &impl GenericClient,
    barcode: &Barcode,
) -> Result<(), Failure> {
    if let Some(holder) = pack_holder(client, barcode.pack_key()).await?
        && holder != barcode.id
    {
        let clash = self::barcode(client, holder)
            .await?
            .map_or_else(|| holder.to_string(), |b| b.describe());
        return Err(StoreError::Refused(format!(
            "productSku {}, barcodeType {} and uomCode {} already belong to barcode record {clash}",
            barcode.product_sku, barcode.barcode_type, barcode.uom_code
        ))
        .into());
    }
    execute(
        client,
        "INSERT INTO barcodes (id, value, sku, barcode_type, uom, active, record) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET \
         value = EXCLUDED.value, sku = EXCLUDED.sku, barcode_type = EXCLUDED.barcode_type, \
         uom = EXCLUDED.uom, active = EXCLUDED.active, record = EXCLUDED.record",
        &[
            &barcode.id,
            &barcode.barcode,
            &barcode.product_sku,
            &barcode.barcode_type,
            &barcode.uom_code,
            &barcode.is_active,
            &encode(barcode),
        ],
    )
    .await?;
    Ok(())
}

/// Removes a record; returns it, or `None` when there was none with `id`.
pub(crate) async fn remove_barcode(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Barcode>, Failure> {
    match row(
        client,
        "DELETE FROM barcodes WHERE id = $1 RETURNING record",
        &[&id],
    )
    .await?
    {
        Some(found) => Ok(Some(decode(&found, 0)?)),
        None => Ok(None),
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound(format!("no barcode record with id {id}"))
}
