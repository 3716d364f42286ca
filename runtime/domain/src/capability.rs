//! What an operator may grant a plugin beyond decoding.

use crate::Invalid;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A right an operator grants one plugin (`barcoded plugin grant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Read products and barcode records (`catalog`).
    CatalogRead,
    /// Read stock levels (`stock.level`).
    StockRead,
    /// Change stock levels (`stock.adjust`).
    StockWrite,
    /// Receive goods against purchase orders (`purchasing.receive`).
    PoReceive,
}

impl Capability {
    const ALL: [Capability; 4] = [
        Capability::CatalogRead,
        Capability::StockRead,
        Capability::StockWrite,
        Capability::PoReceive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Capability::CatalogRead => "catalog-read",
            Capability::StockRead => "stock-read",
            Capability::StockWrite => "stock-write",
            Capability::PoReceive => "po-receive",
        }
    }

    /// The capability a WIT import needs, by interface and function name;
    /// `None` for what every plugin may import.
    pub fn for_import(interface: &str, function: &str) -> Option<Capability> {
        match (interface, function) {
            ("catalog", _) => Some(Capability::CatalogRead),
            ("stock", "level") => Some(Capability::StockRead),
            ("stock", _) => Some(Capability::StockWrite),
            ("purchasing", "order" | "orders-by-supplier-reference") => {
                Some(Capability::CatalogRead)
            }
            ("purchasing", _) => Some(Capability::PoReceive),
            _ => None,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Capability {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Capability, Invalid> {
        Capability::ALL
            .into_iter()
            .find(|c| c.name() == text)
            .ok_or_else(|| {
                Invalid(format!(
                    "unknown capability {text:?}: use catalog-read, stock-read, stock-write or \
                     po-receive"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_orders_needs_catalog_read_and_receiving_po_receive() {
        for (function, needs) in [
            ("order", Capability::CatalogRead),
            ("orders-by-supplier-reference", Capability::CatalogRead),
            ("receive", Capability::PoReceive),
            ("receive-into", Capability::PoReceive),
        ] {
            assert_eq!(
                Capability::for_import("purchasing", function),
                Some(needs),
                "{function}"
            );
        }
        assert_eq!(Capability::for_import("config", "get"), None);
    }
}
