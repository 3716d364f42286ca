//! Linked barcodes: a label no plugin knows (a supplier's own, a reused box)
//! tied to a product, as InvenTree's `barcode/link/` ties one to an item.
//!
//! A link is an ordinary barcode record of type [`LINK_TYPE`], unit `EA`,
//! quantity 1, so lookups, the export and the CLI see it like any other.
//! The uniqueness rule (one record per product, type and unit) gives each
//! product at most one link, as InvenTree gives each item one barcode:
//! linking another replaces it.

use uuid::Uuid;

use barcoded_domain::Barcode;

use super::{Store, StoreError};
use barcoded_domain::store::{
    CatalogStore, LINK_TYPE, LINK_UOM, LinkStore, Linked, Lookup, link_record, link_shadows,
};

impl LinkStore for Store {
    fn linked(&self, value: &str) -> Result<Option<Lookup>, StoreError> {
        let snapshot = self.snapshot()?;
        let tables = snapshot.catalog()?;
        let found = tables.active_records(value)?.into_iter().find(is_link);
        let Some(barcode) = found else {
            return Ok(None);
        };
        let product = tables.product(&barcode.product_sku)?;
        Ok(Some(Lookup { barcode, product }))
    }

    fn link(&self, value: &str, sku: &str) -> Result<Linked, StoreError> {
        self.write_with(|tables| {
            if tables.product(sku)?.is_none() {
                return Err(StoreError::NotFound(format!("no product with SKU {sku:?}")));
            }
            let holder = tables.pack_holder((sku, LINK_TYPE, LINK_UOM))?;
            let existing = match holder {
                Some(id) => tables.barcode(id)?,
                None => None,
            };
            if let Some(other) = tables
                .active_records(value)?
                .into_iter()
                .find(|record| Some(record.id) != holder)
            {
                return Err(link_shadows(value, sku, &other));
            }
            let barcode = link_record(holder.unwrap_or_else(Uuid::now_v7), value, sku);
            barcode.validate()?;
            tables.put_barcode(&barcode)?;
            let replaced = existing.map(|old| old.barcode).filter(|old| old != value);
            Ok(Linked { barcode, replaced })
        })
    }

    fn unlink(&self, sku: &str) -> Result<Option<Barcode>, StoreError> {
        self.write_with(|tables| {
            if tables.product(sku)?.is_none() {
                return Err(StoreError::NotFound(format!("no product with SKU {sku:?}")));
            }
            match tables.pack_holder((sku, LINK_TYPE, LINK_UOM))? {
                Some(id) => tables.remove_barcode(id),
                None => Ok(None),
            }
        })
    }

    fn links(&self) -> Result<Vec<Barcode>, StoreError> {
        let mut links = Vec::new();
        self.for_each_barcode(&mut |barcode| {
            if barcode.barcode_type == LINK_TYPE {
                links.push(barcode);
            }
        })?;
        Ok(links)
    }
}

fn is_link(barcode: &Barcode) -> bool {
    barcode.barcode_type == LINK_TYPE
}
