//! Where the SDK's calls to the server go: the component's imports when
//! built for wasm32, the [`FakeHost`](crate::testing::FakeHost) of a native
//! test otherwise (wit-bindgen's imports do not exist off wasm32).

use crate::HostError;
use crate::catalog::{BarcodeMatch, Product};
use crate::purchasing::{OrderLine, PurchaseOrder};

#[cfg(target_arch = "wasm32")]
mod imports {
    pub use crate::bindings::barcode::plugin::catalog::{by_barcode, by_sku, by_supplier_part};
    pub use crate::bindings::barcode::plugin::config::{all as config_all, get as config};
    pub use crate::bindings::barcode::plugin::purchasing::{
        order, orders_by_supplier_reference, receive, receive_into,
    };
    pub use crate::bindings::barcode::plugin::stock::{adjust, level};
}

#[cfg(not(target_arch = "wasm32"))]
use crate::testing::with_host;

#[cfg(target_arch = "wasm32")]
pub fn config(key: &str) -> Option<String> {
    imports::config(key)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn config(key: &str) -> Option<String> {
    with_host(|host| Ok(host.config.get(key).cloned())).unwrap_or(None)
}

#[cfg(target_arch = "wasm32")]
pub fn config_all() -> Vec<(String, String)> {
    imports::config_all()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn config_all() -> Vec<(String, String)> {
    with_host(|host| Ok(host.config.clone().into_iter().collect())).unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
pub fn by_barcode(code: &str) -> Result<Option<BarcodeMatch>, HostError> {
    imports::by_barcode(code)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn by_barcode(code: &str) -> Result<Option<BarcodeMatch>, HostError> {
    with_host(|host| host.by_barcode(code))
}

#[cfg(target_arch = "wasm32")]
pub fn by_sku(sku: &str) -> Result<Option<Product>, HostError> {
    imports::by_sku(sku)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn by_sku(sku: &str) -> Result<Option<Product>, HostError> {
    with_host(|host| host.by_sku(sku))
}

#[cfg(target_arch = "wasm32")]
pub fn by_supplier_part(part: &str) -> Result<Vec<Product>, HostError> {
    imports::by_supplier_part(part)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn by_supplier_part(part: &str) -> Result<Vec<Product>, HostError> {
    with_host(|host| host.by_supplier_part(part))
}

#[cfg(target_arch = "wasm32")]
pub fn level(sku: &str, location: &str) -> Result<i64, HostError> {
    imports::level(sku, location)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn level(sku: &str, location: &str) -> Result<i64, HostError> {
    with_host(|host| host.level(sku, location))
}

#[cfg(target_arch = "wasm32")]
pub fn adjust(sku: &str, location: &str, delta: i64, reason: &str) -> Result<(), HostError> {
    imports::adjust(sku, location, delta, reason)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn adjust(sku: &str, location: &str, delta: i64, reason: &str) -> Result<(), HostError> {
    with_host(|host| host.adjust(sku, location, delta, reason))
}

#[cfg(target_arch = "wasm32")]
pub fn receive(
    order: &str,
    sku: &str,
    quantity: u32,
    location: Option<&str>,
) -> Result<OrderLine, HostError> {
    match location {
        None => imports::receive(order, sku, quantity),
        Some(location) => imports::receive_into(order, sku, quantity, location),
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub fn receive(
    order: &str,
    sku: &str,
    quantity: u32,
    location: Option<&str>,
) -> Result<OrderLine, HostError> {
    with_host(|host| host.receive(order, sku, quantity, location))
}

#[cfg(target_arch = "wasm32")]
pub fn order(number: &str) -> Result<Option<PurchaseOrder>, HostError> {
    imports::order(number)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn order(number: &str) -> Result<Option<PurchaseOrder>, HostError> {
    with_host(|host| host.order_numbered(number))
}

#[cfg(target_arch = "wasm32")]
pub fn orders_by_supplier_reference(reference: &str) -> Result<Vec<PurchaseOrder>, HostError> {
    imports::orders_by_supplier_reference(reference)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn orders_by_supplier_reference(reference: &str) -> Result<Vec<PurchaseOrder>, HostError> {
    with_host(|host| host.orders_by_supplier_reference(reference))
}
