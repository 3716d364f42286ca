//! Products and barcode records. A record's scanned value, SKU, type, unit
//! and state are columns beside its JSON, so that a lookup is one indexed
//! query and the pack rule a unique constraint.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use barcoded_domain::store::{CatalogCounts, CatalogStore, Lookup, resolution_order};
use barcoded_domain::{Barcode, Product};

use crate::sql::{Failure, decode, encode, execute, record, records, row, rows, unsigned};
use crate::{Change, PgStore, StoreError};

/// Rows read per query while walking a whole table inside one snapshot.
const PAGE: i32 = 1000;

/// Every active record carrying a value, with its product if there is one.
const ACTIVE_WITH_PRODUCT: &str = "SELECT b.record, p.record FROM barcodes b \
     LEFT JOIN products p ON p.sku = b.sku WHERE b.value = $1 AND b.active";

impl CatalogStore for PgStore {
    fn lookup(&self, code: &str, uom: Option<&str>) -> Result<Option<Lookup>, StoreError> {
        self.wait(self.lookup_async(code, uom))
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
            records(
                &client,
                "SELECT p.record FROM supplier_parts s JOIN products p ON p.sku = s.sku \
                 WHERE s.part = $1 ORDER BY s.sku LIMIT $2",
                &[&part, &max],
            )
            .await
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

    /// A batch is a few statements, whatever its size: products and
    /// records go in with one `INSERT ... SELECT FROM unnest(...)` each.
    fn upsert_batch(&self, products: &[Product], barcodes: &[Barcode]) -> Result<(), StoreError> {
        self.write_catalog(async |txn| {
            put_products(txn, products).await?;
            let holders = pack_holders(txn, barcodes).await?;
            let mut held = holders;
            let mut placed = Vec::with_capacity(barcodes.len());
            for barcode in barcodes {
                let key = pack_of(barcode);
                let id = *held.entry(key).or_insert(barcode.id);
                placed.push(Barcode {
                    id,
                    ..barcode.clone()
                });
            }
            put_barcodes(txn, &placed).await
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
        // Every SKU is longer than the empty one.
        let after = after.unwrap_or_default();
        self.wait(async {
            let mut client = self.client().await?;
            let txn = snapshot(&mut client).await?;
            let mut going = true;
            each_row_while(
                &txn,
                "SELECT record FROM products WHERE sku > $1 ORDER BY sku",
                &[&after],
                &mut |row| {
                    going = f(decode(row, 0)?);
                    Ok(going)
                },
            )
            .await
        })
    }

    fn barcodes_of(&self, sku: &str) -> Result<Vec<Barcode>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            records(
                &client,
                "SELECT record FROM barcodes WHERE sku = $1 ORDER BY barcode_type, uom",
                &[&sku],
            )
            .await
        })
    }

    fn for_each_barcode(&self, f: &mut dyn FnMut(Barcode)) -> Result<(), StoreError> {
        self.wait(async {
            let mut client = self.client().await?;
            let txn = snapshot(&mut client).await?;
            each_row(
                &txn,
                "SELECT record FROM barcodes ORDER BY id",
                &mut |row| {
                    f(decode(row, 0)?);
                    Ok(())
                },
            )
            .await
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
            .ok_or_else(|| StoreError::storage("counting returned nothing"))?;
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

/// Calls `f` with every row `query` selects, read through a portal a page
/// at a time, so that a table of millions never sits in memory at once.
pub(crate) async fn each_row(
    txn: &deadpool_postgres::Transaction<'_>,
    query: &str,
    f: &mut dyn FnMut(&tokio_postgres::Row) -> Result<(), StoreError>,
) -> Result<(), Failure> {
    each_row_while(txn, query, &[], &mut |row| f(row).map(|()| true)).await
}

/// Like [`each_row`], with `params`, until `f` returns `false`.
async fn each_row_while(
    txn: &deadpool_postgres::Transaction<'_>,
    query: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    f: &mut dyn FnMut(&tokio_postgres::Row) -> Result<bool, StoreError>,
) -> Result<(), Failure> {
    let statement = txn.prepare_cached(query).await?;
    let portal = txn.bind(&statement, params).await?;
    loop {
        let page = txn.query_portal(&portal, PAGE).await?;
        for row in &page {
            if !f(row)? {
                return Ok(());
            }
        }
        if page.len() < PAGE as usize {
            return Ok(());
        }
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
    record(
        client,
        "SELECT record FROM products WHERE sku = $1",
        &[&sku],
    )
    .await
}

pub(crate) async fn barcode(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Barcode>, Failure> {
    record(client, "SELECT record FROM barcodes WHERE id = $1", &[&id]).await
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

/// (sku, barcode type, unit): the pack a record holds.
type Pack = (String, String, String);

fn pack_of(barcode: &Barcode) -> Pack {
    let (sku, barcode_type, uom) = barcode.pack_key();
    (sku.to_owned(), barcode_type.to_owned(), uom.to_owned())
}

/// The records already holding the packs of `barcodes`, by pack.
async fn pack_holders(
    client: &impl GenericClient,
    barcodes: &[Barcode],
) -> Result<HashMap<Pack, Uuid>, Failure> {
    let (mut skus, mut types, mut uoms) = (Vec::new(), Vec::new(), Vec::new());
    for barcode in barcodes {
        skus.push(barcode.product_sku.as_str());
        types.push(barcode.barcode_type.as_str());
        uoms.push(barcode.uom_code.as_str());
    }
    let found = rows(
        client,
        "SELECT b.sku, b.barcode_type, b.uom, b.id FROM barcodes b \
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS p(sku, barcode_type, uom) \
         ON b.sku = p.sku AND b.barcode_type = p.barcode_type AND b.uom = p.uom",
        &[&skus, &types, &uoms],
    )
    .await?;
    found
        .iter()
        .map(|row| {
            Ok((
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?),
                row.try_get(3)?,
            ))
        })
        .collect()
}

/// Writes products (the last of any SKU given twice) and their supplier
/// part numbers.
pub(crate) async fn put_products(
    client: &impl GenericClient,
    products: &[Product],
) -> Result<(), Failure> {
    let mut last: HashMap<&str, &Product> = HashMap::new();
    for product in products {
        last.insert(&product.sku, product);
    }
    let skus: Vec<&str> = last.keys().copied().collect();
    let records: Vec<String> = skus.iter().map(|sku| encode(last[sku])).collect();
    execute(
        client,
        "INSERT INTO products (sku, record) SELECT * FROM unnest($1::text[], $2::text[]) \
         ON CONFLICT (sku) DO UPDATE SET record = EXCLUDED.record",
        &[&skus, &records],
    )
    .await?;
    execute(
        client,
        "DELETE FROM supplier_parts WHERE sku = ANY($1)",
        &[&skus],
    )
    .await?;
    let (mut parts, mut owners) = (Vec::new(), Vec::new());
    for sku in &skus {
        for entry in &last[sku].supplier_parts {
            parts.push(entry.part.as_str());
            owners.push(*sku);
        }
    }
    execute(
        client,
        "INSERT INTO supplier_parts (part, sku) SELECT * FROM unnest($1::text[], $2::text[]) \
         ON CONFLICT DO NOTHING",
        &[&parts, &owners],
    )
    .await?;
    Ok(())
}

/// Writes records by id as they are (the last of any id given twice). The
/// caller has placed each on the record holding its pack; the table's
/// unique pack constraint refuses anything else.
pub(crate) async fn put_barcodes(
    client: &impl GenericClient,
    barcodes: &[Barcode],
) -> Result<(), Failure> {
    let mut last: HashMap<Uuid, &Barcode> = HashMap::new();
    for barcode in barcodes {
        last.insert(barcode.id, barcode);
    }
    let ids: Vec<Uuid> = last.keys().copied().collect();
    let mut columns = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for id in &ids {
        let barcode = last[id];
        columns.0.push(barcode.barcode.as_str());
        columns.1.push(barcode.product_sku.as_str());
        columns.2.push(barcode.barcode_type.as_str());
        columns.3.push(barcode.uom_code.as_str());
        columns.4.push(barcode.is_active);
        columns.5.push(encode(barcode));
    }
    execute(
        client,
        "INSERT INTO barcodes (id, value, sku, barcode_type, uom, active, record) \
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], \
         $6::bool[], $7::text[]) ON CONFLICT (id) DO UPDATE SET \
         value = EXCLUDED.value, sku = EXCLUDED.sku, barcode_type = EXCLUDED.barcode_type, \
         uom = EXCLUDED.uom, active = EXCLUDED.active, record = EXCLUDED.record",
        &[
            &ids, &columns.0, &columns.1, &columns.2, &columns.3, &columns.4, &columns.5,
        ],
    )
    .await?;
    Ok(())
}

/// Writes a product and its supplier part numbers.
async fn put_product(client: &impl GenericClient, product: &Product) -> Result<(), Failure> {
    put_products(client, std::slice::from_ref(product)).await
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
    record(
        client,
        "DELETE FROM barcodes WHERE id = $1 RETURNING record",
        &[&id],
    )
    .await
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound(format!("no barcode record with id {id}"))
}

impl PgStore {
    /// [`CatalogStore::lookup`], awaited: one indexed query, unless the
    /// answer is kept from a read at the catalog's current generation.
    pub(crate) async fn lookup_async(
        &self,
        code: &str,
        uom: Option<&str>,
    ) -> Result<Option<Lookup>, Failure> {
        let generation = self.counters().await?.catalog;
        if let Some(kept) = self.lookups.get(generation, code, uom) {
            return Ok(kept);
        }
        let client = self.client().await?;
        let mut found = active_with_products(&client, code).await?;
        found.retain(|(barcode, _)| uom.is_none_or(|uom| barcode.uom_code == uom));
        let found = found
            .into_iter()
            .min_by(|a, b| resolution_order(&a.0, &b.0))
            .map(|(barcode, product)| Lookup { barcode, product });
        self.lookups.put(generation, code, uom, &found);
        Ok(found)
    }
}
