//! Barcodes linked to products: records of type `LINK`, one per product.

use uuid::Uuid;

use barcoded_domain::Barcode;
use barcoded_domain::store::{LinkStore, Linked, Lookup};

use crate::catalog::{self, active_with_products, pack_holder};
use crate::sql::{decode, holds_nul, rows};
use crate::{PgStore, StoreError};

const LINK_TYPE: &str = "LINK";
const LINK_UOM: &str = "EA";

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
                return Err(StoreError::Refused(format!(
                    "{value:?} already resolves to product {} through barcode record {}; \
                     deactivate that record first if the label should now mean {sku}",
                    other.product_sku,
                    other.describe()
                ))
                .into());
            }
            let barcode = Barcode {
                id: holder.unwrap_or_else(Uuid::now_v7),
                barcode: value.to_owned(),
                barcode_type: LINK_TYPE.to_owned(),
                format: "linked".to_owned(),
                product_sku: sku.to_owned(),
                uom_code: LINK_UOM.to_owned(),
                quantity: 1,
                is_default: false,
                is_active: true,
            };
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
            let found = rows(
                &client,
                "SELECT record FROM barcodes WHERE barcode_type = $1 ORDER BY id",
                &[&LINK_TYPE],
            )
            .await?;
            found.iter().map(|r| decode(r, 0)).collect()
        })
    }
}

fn no_product(sku: &str) -> StoreError {
    StoreError::NotFound(format!("no product with SKU {sku:?}"))
}
