//! Finding products: the catalog browsed page by page, or searched by text.

use barcoded_domain::store::{Storage, StoreError};
use barcoded_domain::{Barcode, Product};

/// Products one search examines at most: a search for text that matches
/// nothing answers after this many with a cursor, rather than reading a
/// million products for one request.
pub const MAX_EXAMINED: usize = 20_000;

/// A product with every barcode record it has, active or not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    pub product: Product,
    pub barcodes: Vec<Barcode>,
}

/// One page of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub results: Vec<Found>,
    /// The SKU to continue after, when the catalog may hold more matches.
    pub next_after: Option<String>,
}

/// Up to `limit` products after the SKU `after`, in SKU order, whose SKU,
/// name, category or supplier part number contains `text` (ignoring case;
/// every product when `text` is empty).
pub fn search(
    store: &dyn Storage,
    text: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page, StoreError> {
    let needle = text.to_lowercase();
    let mut matched = Vec::new();
    let mut examined = 0;
    let mut last = None;
    store.products_after(after, &mut |product| {
        examined += 1;
        last = Some(product.sku.clone());
        if matches(&product, &needle) {
            matched.push(product);
        }
        matched.len() < limit && examined < MAX_EXAMINED
    })?;
    let exhausted = matched.len() < limit && examined < MAX_EXAMINED;
    let results = matched
        .into_iter()
        .map(|product| {
            let barcodes = store.barcodes_of(&product.sku)?;
            Ok(Found { product, barcodes })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Page {
        results,
        next_after: if exhausted { None } else { last },
    })
}

fn matches(product: &Product, needle: &str) -> bool {
    let has = |text: &str| text.to_lowercase().contains(needle);
    needle.is_empty()
        || has(&product.sku)
        || has(&product.name)
        || has(&product.category)
        || product.supplier_parts.iter().any(|part| has(&part.part))
}
