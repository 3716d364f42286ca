//! The tables a lookup reads, opened once per read snapshot.

use redb::{
    ReadOnlyMultimapTable, ReadOnlyTable, ReadTransaction, ReadableMultimapTable, ReadableTable,
};

use barcoded_domain::store::{Lookup, StoreError, resolution_order};
use barcoded_domain::{Barcode, Product};

use crate::codec::{decode, storage};
use crate::schema::{
    BARCODES, BARCODES_BY_VALUE, CATALOG_GENERATION, COUNTERS, PRODUCTS, SUPPLIER_PARTS,
};

/// The tables a lookup reads, opened once per read snapshot and shared by
/// every lookup that uses it: opening a table searches the table directory,
/// which costs as much as the lookup's own reads.
pub(crate) struct CatalogReader {
    /// The catalog's generation in this snapshot (see `lookup_cache`).
    pub(crate) generation: u64,
    by_value: ReadOnlyMultimapTable<&'static str, u128>,
    barcodes: ReadOnlyTable<u128, &'static [u8]>,
    products: ReadOnlyTable<&'static str, &'static [u8]>,
    supplier_parts: ReadOnlyMultimapTable<&'static str, &'static str>,
}

impl CatalogReader {
    /// The record the lookup contract picks for `code` (and `uom`), with its
    /// product.
    pub(crate) fn lookup(
        &self,
        code: &str,
        uom: Option<&str>,
    ) -> Result<Option<Lookup>, StoreError> {
        let best = self
            .active_records(code)?
            .into_iter()
            .filter(|record| uom.is_none_or(|uom| record.uom_code == uom))
            .min_by(resolution_order);
        let Some(barcode) = best else {
            return Ok(None);
        };
        let product = self.product(&barcode.product_sku)?;
        Ok(Some(Lookup { barcode, product }))
    }

    pub(crate) fn active_records(&self, value: &str) -> Result<Vec<Barcode>, StoreError> {
        active_records(&self.by_value, &self.barcodes, value)
    }

    pub(crate) fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        product(&self.products, sku)
    }

    /// Products listing `part` among their supplier part numbers, at most `max`.
    pub(crate) fn products_by_supplier_part(
        &self,
        part: &str,
        max: usize,
    ) -> Result<Vec<Product>, StoreError> {
        let mut found = Vec::new();
        for sku in self.supplier_parts.get(part).map_err(storage)?.take(max) {
            let sku = sku.map_err(storage)?;
            if let Some(bytes) = self.products.get(sku.value()).map_err(storage)? {
                found.push(decode(bytes.value())?);
            }
        }
        Ok(found)
    }

    pub(crate) fn open(txn: &ReadTransaction) -> Result<CatalogReader, StoreError> {
        let counters = txn.open_table(COUNTERS).map_err(storage)?;
        let generation = counters.get(CATALOG_GENERATION).map_err(storage)?;
        Ok(CatalogReader {
            generation: generation.map_or(0, |count| count.value()),
            by_value: txn
                .open_multimap_table(BARCODES_BY_VALUE)
                .map_err(storage)?,
            barcodes: txn.open_table(BARCODES).map_err(storage)?,
            products: txn.open_table(PRODUCTS).map_err(storage)?,
            supplier_parts: txn.open_multimap_table(SUPPLIER_PARTS).map_err(storage)?,
        })
    }
}

/// The active records carrying `value`, in id order.
pub(crate) fn active_records(
    by_value: &impl ReadableMultimapTable<&'static str, u128>,
    barcodes: &impl ReadableTable<u128, &'static [u8]>,
    value: &str,
) -> Result<Vec<Barcode>, StoreError> {
    let mut found = Vec::new();
    for id in by_value.get(value).map_err(storage)? {
        let id = id.map_err(storage)?.value();
        if let Some(bytes) = barcodes.get(id).map_err(storage)? {
            let record: Barcode = decode(bytes.value())?;
            if record.is_active {
                found.push(record);
            }
        }
    }
    Ok(found)
}

pub(crate) fn product(
    products: &impl ReadableTable<&'static str, &'static [u8]>,
    sku: &str,
) -> Result<Option<Product>, StoreError> {
    match products.get(sku).map_err(storage)? {
        Some(bytes) => Ok(Some(decode(bytes.value())?)),
        None => Ok(None),
    }
}
