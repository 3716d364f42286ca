//! Stock on hand and purchase orders: the changes a booking makes, the
//! movement log that explains every level, and receipts against orders.

use crate::Invalid;
use serde::{Deserialize, Serialize};

use crate::records::Rule;

/// The largest change one movement or receipt may make.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// Most units a stock level may hold either way.
pub const MAX_LEVEL: i64 = 1_000_000_000_000_000;

pub(crate) const LOCATION: Rule = Rule {
    field: "location",
    max: 64,
    extra: None,
};
pub(crate) const REASON: Rule = Rule {
    field: "reason",
    max: 256,
    extra: None,
};
pub(crate) const ORDER: Rule = Rule {
    field: "order number",
    max: 64,
    extra: None,
};
const SUPPLIER_REFERENCE: Rule = Rule {
    field: "supplier reference",
    max: 64,
    extra: None,
};

/// A change of the on-hand quantity of `sku` at `location`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockChange {
    pub sku: String,
    pub location: String,
    /// Negative takes from stock.
    pub delta: i64,
    pub reason: String,
}

/// Goods received against one line of a purchase order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub order: String,
    pub sku: String,
    pub quantity: u32,
    /// Where the goods go; the order's location when `None`.
    pub location: Option<String>,
    /// The label received (its [`crate::barcode_hash`]), kept with the line so the
    /// same label is never received twice; `None` records nothing.
    pub label: Option<String>,
}

/// The refusal of a label received before, in InvenTree's words.
pub const ALREADY_RECEIVED: &str = "Item has already been received";

/// Most labels an order line remembers; the oldest are forgotten first.
pub const MAX_LINE_LABELS: usize = 256;

/// Changes that land together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Booking {
    pub changes: Vec<StockChange>,
    pub receipts: Vec<Receipt>,
}

impl Booking {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.receipts.is_empty()
    }

    /// The sum of this booking's changes of `sku` at `location`.
    pub fn delta(&self, sku: &str, location: &str) -> i64 {
        self.changes
            .iter()
            .filter(|c| c.sku == sku && c.location == location)
            .map(|c| c.delta)
            .sum()
    }
}

/// Who a booking is for: a scan's plugin and API key, or neither for an
/// operator at the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub plugin: Option<String>,
    pub key: Option<String>,
    /// The scan history entry that caused it.
    pub scan: Option<u64>,
}

/// One change of stock, as the movement log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Movement {
    pub id: u64,
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    pub sku: String,
    pub location: String,
    pub delta: i64,
    /// The on-hand quantity right after this movement.
    pub level: i64,
    pub reason: String,
    /// The plugin that asked for it; none for an operator's correction.
    pub plugin: Option<String>,
    /// The name of the API key whose scan caused it.
    pub key: Option<String>,
    /// The scan history entry that caused it.
    pub scan: Option<u64>,
    /// The purchase order received against, for a receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

impl Movement {
    /// The movement `change` made for `actor`, numbered `id`, leaving `level`.
    pub fn booked(
        id: u64,
        time: &str,
        change: StockChange,
        level: i64,
        actor: &Actor,
        order: Option<String>,
    ) -> Movement {
        Movement {
            id,
            time: time.to_owned(),
            sku: change.sku,
            location: change.location,
            delta: change.delta,
            level,
            reason: change.reason,
            plugin: actor.plugin.clone(),
            key: actor.key.clone(),
            scan: actor.scan,
            order,
        }
    }
}

/// A purchase order in its simplest useful form: what was ordered, what
/// has arrived, and where arriving goods are put.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrder {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The supplier's own reference for the order (ECIA `1K` on its labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_reference: Option<String>,
    /// The stock location receipts are booked to.
    pub location: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub lines: Vec<OrderLine>,
}

/// One product on a purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: String,
    pub ordered: u32,
    pub received: u32,
    /// The labels received against this line (their hashes), newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl OrderLine {
    /// A line of `ordered` units of `sku`, none received yet.
    pub fn new(sku: impl Into<String>, ordered: u32) -> OrderLine {
        OrderLine {
            sku: sku.into(),
            ordered,
            received: 0,
            labels: Vec::new(),
        }
    }

    /// Whether every unit ordered has been received.
    pub fn is_complete(&self) -> bool {
        self.received >= self.ordered
    }
}

/// A receipt as booked: the line's state right after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    pub order: String,
    pub sku: String,
    pub quantity: u32,
    pub ordered: u32,
    pub received: u32,
}

/// Most lines one purchase order may have.
const MAX_ORDER_LINES: usize = 1000;

impl PurchaseOrder {
    pub fn validate(&self) -> Result<(), Invalid> {
        ORDER.check(&self.number)?;
        LOCATION.check(&self.location)?;
        if let Some(reference) = &self.supplier_reference {
            SUPPLIER_REFERENCE.check(reference)?;
        }
        if self.lines.is_empty() || self.lines.len() > MAX_ORDER_LINES {
            return Err(Invalid(format!(
                "a purchase order has 1 to {MAX_ORDER_LINES} lines"
            )));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if line.ordered == 0 || i64::from(line.ordered) > MAX_QUANTITY {
                return Err(Invalid(format!(
                    "line {}: the ordered quantity must be 1 to {MAX_QUANTITY}",
                    line.sku
                )));
            }
            if self.lines[..i].iter().any(|other| other.sku == line.sku) {
                return Err(Invalid(format!("SKU {} has two lines", line.sku)));
            }
        }
        Ok(())
    }

    /// The order's line for `sku`.
    pub fn line(&self, sku: &str) -> Option<&OrderLine> {
        self.lines.iter().find(|line| line.sku == sku)
    }
}

impl StockChange {
    /// Checks the change by itself: its location, its reason, and at most
    /// [`MAX_QUANTITY`] units either way.
    pub fn validate(&self) -> Result<(), Invalid> {
        LOCATION.check(&self.location)?;
        REASON.check(&self.reason)?;
        if !(1..=MAX_QUANTITY.unsigned_abs()).contains(&self.delta.unsigned_abs()) {
            return Err(Invalid(format!(
                "a stock change is 1 to {MAX_QUANTITY} units either way, not {}",
                self.delta
            )));
        }
        Ok(())
    }
}

impl Receipt {
    /// Checks the receipt by itself: its order number and location.
    pub fn validate(&self) -> Result<(), Invalid> {
        ORDER.check(&self.order)?;
        match &self.location {
            Some(location) => LOCATION.check(location),
            None => Ok(()),
        }
    }
}
