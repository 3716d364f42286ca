//! `catalog`: read-only queries, under `catalog-read`.

use super::{Capability, HostState, bounded, host_error};
use crate::bindings::barcode::plugin::catalog::{
    BarcodeMatch, BarcodeRecord, Host, Product, SupplierPart,
};
use crate::bindings::barcode::plugin::types::HostError;
use barcoded_domain as domain;

/// Most products `by-supplier-part` answers with.
const MAX_PRODUCTS: usize = 16;

impl Host for HostState {
    async fn by_barcode(
        &mut self,
        code: String,
    ) -> wasmtime::Result<Result<Option<BarcodeMatch>, HostError>> {
        const CALL: &str = "catalog.by-barcode";
        let server = self.begin(CALL, Capability::CatalogRead)?;
        let result = async {
            let found = server?
                .barcode(bounded("the code", &code)?)
                .await
                .map_err(host_error)?;
            Ok(found.map(|(found, of)| BarcodeMatch {
                barcode: barcode(found),
                product: of.map(product),
            }))
        };
        let result = result.await;
        self.end(CALL, result)
    }

    async fn by_sku(
        &mut self,
        sku: String,
    ) -> wasmtime::Result<Result<Option<Product>, HostError>> {
        const CALL: &str = "catalog.by-sku";
        let server = self.begin(CALL, Capability::CatalogRead)?;
        let result = async {
            let found = server?
                .product(bounded("the SKU", &sku)?)
                .await
                .map_err(host_error)?;
            Ok(found.map(product))
        };
        let result = result.await;
        self.end(CALL, result)
    }

    async fn by_supplier_part(
        &mut self,
        part: String,
    ) -> wasmtime::Result<Result<Vec<Product>, HostError>> {
        const CALL: &str = "catalog.by-supplier-part";
        let server = self.begin(CALL, Capability::CatalogRead)?;
        let result = async {
            let found = server?
                .products_by_supplier_part(bounded("the part number", &part)?, MAX_PRODUCTS)
                .await
                .map_err(host_error)?;
            Ok(found.into_iter().map(product).collect())
        };
        let result = result.await;
        self.end(CALL, result)
    }
}

fn product(product: domain::Product) -> Product {
    Product {
        sku: product.sku,
        name: product.name,
        category: product.category,
        unit_price: product.unit_price.as_str().to_owned(),
        currency: product.currency,
        supplier_parts: product
            .supplier_parts
            .into_iter()
            .map(|entry| SupplierPart {
                supplier: entry.supplier,
                part: entry.part,
            })
            .collect(),
    }
}

fn barcode(barcode: domain::Barcode) -> BarcodeRecord {
    BarcodeRecord {
        barcode: barcode.barcode,
        barcode_type: barcode.barcode_type,
        format: barcode.format,
        product_sku: barcode.product_sku,
        uom_code: barcode.uom_code,
        quantity: barcode.quantity,
        is_default: barcode.is_default,
    }
}
