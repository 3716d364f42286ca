//! Reading and writing products and barcode records.
//!
//! When several active records carry the scanned value, the lookup picks by
//! the domain's `resolution_order`.

use redb::{
    Key, MultimapTable, ReadableTable, ReadableTableMetadata, Table, TableDefinition,
    WriteTransaction,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use barcoded_domain::{Barcode, Product};

use super::schema::{
    BARCODES, BARCODES_BY_PACK, BARCODES_BY_VALUE, CATALOG_GENERATION, PRODUCTS, SUPPLIER_PARTS,
};
use crate::catalog_reader::{active_records, product};
use crate::codec::{decode, encode, raise_counter, storage};
use crate::{Store, StoreError};
use barcoded_domain::store::{CatalogCounts, CatalogStore, Lookup};

impl CatalogStore for Store {
    fn lookup(&self, code: &str, uom: Option<&str>) -> Result<Option<Lookup>, StoreError> {
        let snapshot = self.snapshot()?;
        let tables = snapshot.catalog()?;
        if let Some(kept) = self.lookups.get(tables.generation, code, uom) {
            return Ok(kept);
        }
        let found = tables.lookup(code, uom)?;
        self.lookups.put(tables.generation, code, uom, &found);
        Ok(found)
    }

    fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        self.snapshot()?.catalog()?.product(sku)
    }

    fn products_by_supplier_part(
        &self,
        part: &str,
        max: usize,
    ) -> Result<Vec<Product>, StoreError> {
        self.snapshot()?
            .catalog()?
            .products_by_supplier_part(part, max)
    }

    fn barcode(&self, id: Uuid) -> Result<Option<Barcode>, StoreError> {
        let txn = self.read()?;
        let barcodes = txn.open_table(BARCODES).map_err(storage)?;
        match barcodes.get(id.as_u128()).map_err(storage)? {
            Some(bytes) => Ok(Some(decode(bytes.value())?)),
            None => Ok(None),
        }
    }

    fn add_barcode(&self, barcode: &Barcode) -> Result<(), StoreError> {
        barcode.validate()?;
        self.write_with(|tables| {
            if tables.barcode(barcode.id)?.is_some() {
                return Err(StoreError::Refused(format!(
                    "a barcode record with id {} exists",
                    barcode.id
                )));
            }
            tables.put_barcode(barcode)
        })
    }

    fn update_barcode(&self, barcode: &Barcode) -> Result<(), StoreError> {
        barcode.validate()?;
        self.write_with(|tables| {
            if tables.barcode(barcode.id)?.is_none() {
                return Err(not_found(barcode.id));
            }
            tables.put_barcode(barcode)
        })
    }

    fn set_barcode_active(&self, id: Uuid, active: bool) -> Result<Barcode, StoreError> {
        self.write_with(|tables| {
            let mut barcode = tables.barcode(id)?.ok_or_else(|| not_found(id))?;
            barcode.is_active = active;
            tables.put_barcode(&barcode)?;
            Ok(barcode)
        })
    }

    fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        product.validate()?;
        self.write_with(|tables| tables.put_product(product))
    }

    fn upsert_batch(&self, products: &[Product], barcodes: &[Barcode]) -> Result<(), StoreError> {
        self.write_with(|tables| {
            for product in products {
                tables.put_product(product)?;
            }
            for barcode in barcodes {
                match tables.pack_holder(barcode.pack_key())? {
                    Some(id) if id != barcode.id => {
                        tables.put_barcode(&Barcode {
                            id,
                            ..barcode.clone()
                        })?;
                    }
                    _ => tables.put_barcode(barcode)?,
                }
            }
            Ok(())
        })
    }

    fn for_each_product(&self, f: &mut dyn FnMut(Product)) -> Result<(), StoreError> {
        self.for_each(PRODUCTS, f)
    }

    fn products_after(
        &self,
        after: Option<&str>,
        f: &mut dyn FnMut(Product) -> bool,
    ) -> Result<(), StoreError> {
        use std::ops::Bound::{Excluded, Unbounded};
        let txn = self.read()?;
        let products = txn.open_table(PRODUCTS).map_err(storage)?;
        let start = after.map_or(Unbounded, Excluded);
        for entry in products
            .range::<&str>((start, Unbounded))
            .map_err(storage)?
        {
            if !f(decode(entry.map_err(storage)?.1.value())?) {
                break;
            }
        }
        Ok(())
    }

    fn barcodes_of(&self, sku: &str) -> Result<Vec<Barcode>, StoreError> {
        let txn = self.read()?;
        let by_pack = txn.open_table(BARCODES_BY_PACK).map_err(storage)?;
        let barcodes = txn.open_table(BARCODES).map_err(storage)?;
        let mut found = Vec::new();
        for entry in by_pack.range((sku, "", "")..).map_err(storage)? {
            let (key, id) = entry.map_err(storage)?;
            if key.value().0 != sku {
                break;
            }
            if let Some(bytes) = barcodes.get(id.value()).map_err(storage)? {
                found.push(decode(bytes.value())?);
            }
        }
        Ok(found)
    }

    fn for_each_barcode(&self, f: &mut dyn FnMut(Barcode)) -> Result<(), StoreError> {
        self.for_each(BARCODES, f)
    }

    fn counts(&self) -> Result<CatalogCounts, StoreError> {
        let txn = self.read()?;
        Ok(CatalogCounts {
            products: txn
                .open_table(PRODUCTS)
                .map_err(storage)?
                .len()
                .map_err(storage)?,
            barcodes: txn
                .open_table(BARCODES)
                .map_err(storage)?
                .len()
                .map_err(storage)?,
        })
    }
}

impl Store {
    fn for_each<K: Key + 'static, T: DeserializeOwned>(
        &self,
        table: TableDefinition<K, &'static [u8]>,
        mut f: impl FnMut(T),
    ) -> Result<(), StoreError> {
        let txn = self.read()?;
        let records = txn.open_table(table).map_err(storage)?;
        for entry in records.iter().map_err(storage)? {
            f(decode(entry.map_err(storage)?.1.value())?);
        }
        Ok(())
    }

    /// Runs `f` on the catalog tables in one write transaction, committing
    /// only if it succeeds.
    pub(super) fn write_with<R>(
        &self,
        f: impl FnOnce(&mut CatalogTables<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let txn = self.write()?;
        let result = {
            let mut tables = CatalogTables::open(&txn)?;
            f(&mut tables)?
        };
        self.commit(txn)?;
        Ok(result)
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound(format!("no barcode record with id {id}"))
}

/// The catalog's tables inside one write transaction. Every barcode write
/// goes through [`CatalogTables::put_barcode`], which keeps the value index
/// and the uniqueness index in step with the records.
pub(super) struct CatalogTables<'txn> {
    products: Table<'txn, &'static str, &'static [u8]>,
    barcodes: Table<'txn, u128, &'static [u8]>,
    by_value: MultimapTable<'txn, &'static str, u128>,
    by_pack: Table<'txn, (&'static str, &'static str, &'static str), u128>,
    supplier_parts: MultimapTable<'txn, &'static str, &'static str>,
}

impl<'txn> CatalogTables<'txn> {
    /// Opens the tables for writing, and raises the catalog's generation in
    /// the same transaction, so that no lookup cache in any process can
    /// answer from before what this transaction commits.
    pub(super) fn open(txn: &'txn WriteTransaction) -> Result<Self, StoreError> {
        raise_counter(txn, CATALOG_GENERATION, 1)?;
        Ok(CatalogTables {
            products: txn.open_table(PRODUCTS).map_err(storage)?,
            barcodes: txn.open_table(BARCODES).map_err(storage)?,
            by_value: txn
                .open_multimap_table(BARCODES_BY_VALUE)
                .map_err(storage)?,
            by_pack: txn.open_table(BARCODES_BY_PACK).map_err(storage)?,
            supplier_parts: txn.open_multimap_table(SUPPLIER_PARTS).map_err(storage)?,
        })
    }

    /// Writes a product and keeps the supplier part index in step with it.
    pub(super) fn put_product(&mut self, product: &Product) -> Result<(), StoreError> {
        let sku = product.sku.as_str();
        let old: Option<Product> = match self.products.get(sku).map_err(storage)? {
            Some(bytes) => Some(decode(bytes.value())?),
            None => None,
        };
        for entry in old.iter().flat_map(|old| &old.supplier_parts) {
            self.supplier_parts
                .remove(entry.part.as_str(), sku)
                .map_err(storage)?;
        }
        for entry in &product.supplier_parts {
            self.supplier_parts
                .insert(entry.part.as_str(), sku)
                .map_err(storage)?;
        }
        self.products
            .insert(sku, encode(product).as_slice())
            .map_err(storage)?;
        Ok(())
    }

    pub(super) fn active_records(&self, value: &str) -> Result<Vec<Barcode>, StoreError> {
        active_records(&self.by_value, &self.barcodes, value)
    }

    pub(super) fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        product(&self.products, sku)
    }

    pub(super) fn barcode(&self, id: Uuid) -> Result<Option<Barcode>, StoreError> {
        match self.barcodes.get(id.as_u128()).map_err(storage)? {
            Some(bytes) => Ok(Some(decode(bytes.value())?)),
            None => Ok(None),
        }
    }

    pub(super) fn pack_holder(&self, key: (&str, &str, &str)) -> Result<Option<Uuid>, StoreError> {
        Ok(self
            .by_pack
            .get(key)
            .map_err(storage)?
            .map(|id| Uuid::from_u128(id.value())))
    }

    pub(super) fn put_barcode(&mut self, barcode: &Barcode) -> Result<(), StoreError> {
        let id = barcode.id.as_u128();
        if let Some(holder) = self.pack_holder(barcode.pack_key())?
            && holder != barcode.id
        {
            let clash = self
                .barcode(holder)?
                .map_or_else(|| holder.to_string(), |b| b.describe());
            return Err(StoreError::Refused(format!(
                "productSku {}, barcodeType {} and uomCode {} already belong to barcode record {clash}",
                barcode.product_sku, barcode.barcode_type, barcode.uom_code
            )));
        }
        if let Some(old) = self.barcode(barcode.id)? {
            if old.barcode != barcode.barcode {
                self.by_value
                    .remove(old.barcode.as_str(), id)
                    .map_err(storage)?;
            }
            if old.pack_key() != barcode.pack_key() {
                self.by_pack.remove(old.pack_key()).map_err(storage)?;
            }
        }
        self.barcodes
            .insert(id, encode(barcode).as_slice())
            .map_err(storage)?;
        self.by_value
            .insert(barcode.barcode.as_str(), id)
            .map_err(storage)?;
        self.by_pack
            .insert(barcode.pack_key(), id)
            .map_err(storage)?;
        Ok(())
    }

    /// Removes a record and its index entries; returns it, or `None` when
    /// there was none with `id`.
    pub(super) fn remove_barcode(&mut self, id: Uuid) -> Result<Option<Barcode>, StoreError> {
        let Some(old) = self.barcode(id)? else {
            return Ok(None);
        };
        let key = id.as_u128();
        self.barcodes.remove(key).map_err(storage)?;
        self.by_value
            .remove(old.barcode.as_str(), key)
            .map_err(storage)?;
        self.by_pack.remove(old.pack_key()).map_err(storage)?;
        Ok(Some(old))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use barcoded_domain::Price;

    fn product(sku: &str) -> Product {
        Product {
            sku: sku.into(),
            name: sku.into(),
            category: "Parts".into(),
            unit_price: Price::parse("1").unwrap(),
            currency: "EUR".into(),
            supplier_parts: Vec::new(),
        }
    }

    fn barcode(sku: &str, value: &str, uom: &str) -> Barcode {
        Barcode {
            id: Uuid::now_v7(),
            barcode: value.into(),
            barcode_type: "INTERNAL".into(),
            format: "INTERNAL".into(),
            product_sku: sku.into(),
            uom_code: uom.into(),
            quantity: 1,
            is_default: false,
            is_active: uom != "OLD",
        }
    }

    /// Products `A`, `AB` and `B`, each with records; `A`'s `OLD` one inactive.
    fn store() -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "barcoded-catalog-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        let products: Vec<_> = ["A", "AB", "B"].into_iter().map(product).collect();
        let barcodes = [
            barcode("A", "1", "EA"),
            barcode("A", "2", "OLD"),
            barcode("AB", "3", "EA"),
            barcode("B", "4", "CA"),
        ];
        store.upsert_batch(&products, &barcodes).unwrap();
        (store, dir)
    }

    fn skus_after(store: &Store, after: Option<&str>, take: usize) -> Vec<String> {
        let mut seen = Vec::new();
        store
            .products_after(after, &mut |product| {
                seen.push(product.sku);
                seen.len() < take
            })
            .unwrap();
        seen
    }

    #[test]
    fn products_continue_after_a_sku_and_stop_when_asked() {
        let (store, dir) = store();
        assert_eq!(skus_after(&store, None, 10), ["A", "AB", "B"]);
        assert_eq!(skus_after(&store, Some("A"), 10), ["AB", "B"]);
        assert_eq!(skus_after(&store, Some("AA"), 10), ["AB", "B"]);
        assert_eq!(skus_after(&store, Some("B"), 10), Vec::<String>::new());
        assert_eq!(skus_after(&store, None, 2), ["A", "AB"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_products_barcodes_are_its_own_active_or_not_and_not_a_longer_skus() {
        let (store, dir) = store();
        let values = |sku| {
            let mut found: Vec<_> = store
                .barcodes_of(sku)
                .unwrap()
                .into_iter()
                .map(|b| b.barcode)
                .collect();
            found.sort();
            found
        };
        assert_eq!(values("A"), ["1", "2"]);
        assert_eq!(values("AB"), ["3"]);
        assert_eq!(values("C"), Vec::<String>::new());
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Lookups through `reader` after every kind of change made through
    /// `writer`, a second handle on the same file as another process has.
    #[test]
    fn a_cached_lookup_never_outlives_a_change_from_another_handle() {
        let (writer, dir) = store();
        let reader = Store::open(&dir).unwrap();
        let looked_up = |code: &str| {
            // Past the shared snapshot's age, as a request after a commit
            // made elsewhere is.
            std::thread::sleep(crate::SNAPSHOT_MAX_AGE * 2);
            reader.lookup(code, None).unwrap()
        };
        let mut record = barcode("B", "5", "PL");
        assert_eq!(looked_up("5"), None);
        writer.add_barcode(&record).unwrap();
        for _ in 0..3 {
            assert_eq!(looked_up("5").unwrap().barcode.quantity, 1);
        }
        record.quantity = 10;
        writer.update_barcode(&record).unwrap();
        assert_eq!(looked_up("5").unwrap().barcode.quantity, 10);
        writer
            .put_product(&Product {
                name: "Bolt".into(),
                ..product("B")
            })
            .unwrap();
        assert_eq!(looked_up("5").unwrap().product.unwrap().name, "Bolt");
        writer.set_barcode_active(record.id, false).unwrap();
        assert_eq!(looked_up("5"), None);
        // The reader's own writes are seen at once, without waiting.
        reader.set_barcode_active(record.id, true).unwrap();
        assert_eq!(
            reader.lookup("5", None).unwrap().unwrap().barcode.quantity,
            10
        );
        drop((reader, writer));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
