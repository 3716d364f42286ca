//! Barcodes linked to products: records of type `LINK`, one per product.

use uuid::Uuid;

use barcoded_domain::Barcode;
use barcoded_domain::store::{
    LINK_TYPE, LINK_UOM, LinkStore, Linked, Lookup, link_record, link_shadows,
};

use crate::catalog::{self, active_with_products, pack_holder};
use crate::sql::{holds_nul, records};
use crate::{PgStore, StoreError};

impl LinkStore for PgStore {
    fn linked(&self, value: &str) -> Result<Option<Lookup>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            let found = active_with_products(&client, value).await?;
            Ok(found
                .into_iter()
                .find(|(barcode, _)| barcode.barcode_type == LINK_TYPE)
                .map(|(barcode, product)| Lookup { barcode, product }))
        })
    }

    fn link(&self, value: &str, sku: &str) -> Result<Linked, StoreError> {
        Barcode::check_value(value)?;
        if holds_nul(&[sku]) {
            return Err(no_product(sku));
        }
        self.write_catalog(async |txn| {
            if catalog::product(txn, sku).await?.is_none() {
                return Err(no_product(sku).into());
            }
            let holder = pack_holder(txn, (sku, LINK_TYPE, LINK_UOM)).await?;
            let existing = match holder {
                Some(id) => catalog::barcode(txn, id).await?,
                None => None,
            };
            if let Some((other, _)) = active_with_products(txn, value)
                .await?
                .into_iter()
                .find(|(record, _)| Some(record.id) != holder)
            {
                return Err(link_shadows(value, sku, &other).into());
            }
            let barcode = link_record(holder.unwrap_or_else(Uuid::now_v7), value, sku);
            barcode.validate()?;
            catalog::put_barcode(txn, &barcode).await?;
            let replaced = existing.map(|old| old.barcode).filter(|old| old != value);
            Ok(Linked { barcode, replaced })
        })
    }

    fn unlink(&self, sku: &str) -> Result<Option<Barcode>, StoreError> {
        if holds_nul(&[sku]) {
            return Err(no_product(sku));
        }
        self.write_catalog(async |txn| {
            if catalog::product(txn, sku).await?.is_none() {
                return Err(no_product(sku).into());
            }
            match pack_holder(txn, (sku, LINK_TYPE, LINK_UOM)).await? {
                Some(id) => catalog::remove_barcode(txn, id).await,
                None => Ok(None),
            }
        })
    }

    fn links(&self) -> Result<Vec<Barcode>, StoreError> {
        self.wait(async {
            let client = self.client().await?;
            records(
                &client,
                "SELECT record FROM barcodes WHERE barcode_type = $1 ORDER BY id",
                &[&LINK_TYPE],
            )
            .await
        })
    }
}

fn no_product(sku: &str) -> StoreError {
    StoreError::NotFound(format!("no product with SKU {sku:?}"))
}
