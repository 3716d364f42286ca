//! The optional `barcode:plugin/receiving` export: a supplier label
//! received against a purchase order, and the plugin's answer checked
//! against its [`AnswerLimits`] before any of it leaves the sandbox.
//!
//! Components built before the export existed do not have it; the server
//! never asks them to receive, and loads and scans them as before.

use crate::failure::Failure;
use crate::limits::AnswerLimits;
use crate::verdict::{bounded, validate_fields};

pub(crate) use crate::bindings::receiving::exports::barcode::plugin::receiving as wit;

/// What a client asked a receipt for, beside the label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptRequest {
    /// The purchase order's number.
    pub order: Option<String>,
    /// The order line, by its SKU.
    pub line: Option<String>,
    /// Where the goods go instead of the order's location.
    pub location: Option<String>,
    /// `false`: say what would be received, book nothing.
    pub auto_allocate: bool,
}

/// How a plugin's receipt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStatus {
    Received,
    ActionRequired,
    Refused,
}

/// The order line a label was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub order: String,
    pub sku: String,
    pub quantity: u32,
    pub location: Option<String>,
    pub supplier_part: Option<String>,
}

/// A plugin's answer to a receipt, validated against [`AnswerLimits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub status: ReceiptStatus,
    pub message: String,
    pub line: Option<LineItem>,
    pub fields: Vec<(String, String)>,
}

impl ReceiptRequest {
    pub(crate) fn to_wit(&self) -> wit::ReceiptRequest {
        wit::ReceiptRequest {
            order: self.order.clone(),
            line: self.line.clone(),
            location: self.location.clone(),
            auto_allocate: self.auto_allocate,
        }
    }
}

impl Receipt {
    pub(crate) fn validate(
        receipt: wit::Receipt,
        limits: &AnswerLimits,
    ) -> Result<Receipt, Failure> {
        let fields = validate_fields(receipt.fields.into_iter(), limits)?;
        let value = |what, text| bounded(what, text, limits.value_text);
        let line = match receipt.line {
            None => None,
            Some(line) => Some(LineItem {
                order: value("the line's order", line.order)?,
                sku: value("the line's SKU", line.sku)?,
                quantity: line.quantity,
                location: line
                    .location
                    .map(|l| value("the line's location", l))
                    .transpose()?,
                supplier_part: line
                    .supplier_part
                    .map(|p| value("the line's supplier part", p))
                    .transpose()?,
            }),
        };
        Ok(Receipt {
            status: match receipt.status {
                wit::ReceiptStatus::Received => ReceiptStatus::Received,
                wit::ReceiptStatus::ActionRequired => ReceiptStatus::ActionRequired,
                wit::ReceiptStatus::Refused => ReceiptStatus::Refused,
            },
            message: bounded("the receipt's message", receipt.message, limits.reason_text)?,
            line,
            fields,
        })
    }
}
