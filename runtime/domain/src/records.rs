//! The catalog's records, as stored and as the lookup API shows them, and
//! the rules a record must meet before it is written.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One barcode of a product, for one unit of measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Barcode {
    pub id: Uuid,
    /// The scanned value, exactly.
    pub barcode: String,
    /// EAN, UPC, GTIN, SSCC, GS1-128, CODE128, QR, DATAMATRIX, INTERNAL, ...
    pub barcode_type: String,
    /// Free text such as EAN-13 or GTIN-14.
    pub format: String,
    pub product_sku: String,
    /// UN/CEFACT unit of measure: EA each, CA case, PL pallet, ...
    pub uom_code: String,
    /// Units of the product in one scanned pack; at least 1.
    pub quantity: u32,
    pub is_default: bool,
    pub is_active: bool,
}

/// A product, identified by its SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit_price: Price,
    /// ISO 4217 code, such as EUR.
    pub currency: String,
    /// Other companies' numbers for this product, as printed on their labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supplier_parts: Vec<SupplierPart>,
}

/// A supplier's or manufacturer's own number for a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierPart {
    /// Who uses the number, such as DigiKey.
    pub supplier: String,
    pub part: String,
}

impl SupplierPart {
    /// Reads `SUPPLIER:PART`, as the command line and CSV files write it.
    pub fn parse(text: &str) -> Result<SupplierPart, Invalid> {
        let (supplier, part) = text
            .split_once(':')
            .ok_or_else(|| format!("{text:?} is not SUPPLIER:PART"))?;
        Ok(SupplierPart {
            supplier: supplier.trim().to_owned(),
            part: part.trim().to_owned(),
        })
    }
}

/// Most supplier part numbers one product may carry.
const MAX_SUPPLIER_PARTS: usize = 16;

/// A non-negative decimal amount kept as its exact digits, so no cent is ever
/// lost to floating point. It reads from a JSON number or string and writes
/// as a JSON number with the same digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price(String);

/// Most digits before and after the decimal point.
const PRICE_INTEGER_DIGITS: usize = 12;
const PRICE_FRACTION_DIGITS: usize = 4;

impl Price {
    pub fn parse(text: &str) -> Result<Price, Invalid> {
        let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let valid = !integer.is_empty()
            && integer.len() <= PRICE_INTEGER_DIGITS
            && digits(integer)
            && fraction.len() <= PRICE_FRACTION_DIGITS
            && digits(fraction)
            && text.contains('.') != fraction.is_empty();
        if !valid {
            return Err(Invalid(format!(
                "unitPrice must be a non-negative decimal with at most {PRICE_INTEGER_DIGITS} \
                 digits before and {PRICE_FRACTION_DIGITS} after the point, not {text:?}"
            )));
        }
        let integer = integer.trim_start_matches('0');
        let integer = if integer.is_empty() { "0" } else { integer };
        Ok(Price(if fraction.is_empty() {
            integer.to_owned()
        } else {
            format!("{integer}.{fraction}")
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Price {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let number: serde_json::Number = self.0.parse().map_err(serde::ser::Error::custom)?;
        number.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Price, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Number(number) => Price::parse(&number.to_string()),
            serde_json::Value::String(text) => Price::parse(text.trim()),
            other => Err(Invalid(format!("unitPrice must be a number, not {other}"))),
        }
        .map_err(serde::de::Error::custom)
    }
}

/// A limit on one text field, checked before a record is written.
pub(crate) struct Rule {
    pub(crate) field: &'static str,
    pub(crate) max: usize,
    /// Characters allowed besides ASCII letters and digits; `None` allows any
    /// printable text.
    pub(crate) extra: Option<&'static str>,
}

impl Rule {
    pub(crate) fn check(&self, value: &str) -> Result<(), Invalid> {
        let field = self.field;
        if value.trim().is_empty() {
            return Err(Invalid(format!("{field} is empty")));
        }
        if value.chars().count() > self.max {
            return Err(Invalid(format!(
                "{field} is longer than {} characters",
                self.max
            )));
        }
        let allowed = |c: char| match self.extra {
            Some(extra) => c.is_ascii_alphanumeric() || extra.contains(c),
            None => !c.is_control(),
        };
        if let Some(bad) = value.chars().find(|&c| !allowed(c)) {
            return Err(Invalid(format!("{field} may not contain {bad:?}")));
        }
        Ok(())
    }
}

const BARCODE: Rule = Rule {
    field: "barcode",
    max: 256,
    extra: None,
};
const BARCODE_TYPE: Rule = Rule {
    field: "barcodeType",
    max: 32,
    extra: Some("-_"),
};
const FORMAT: Rule = Rule {
    field: "format",
    max: 64,
    extra: None,
};
const SKU: Rule = Rule {
    field: "sku",
    max: 128,
    extra: None,
};
const PRODUCT_SKU: Rule = Rule {
    field: "productSku",
    max: 128,
    extra: None,
};
const UOM: Rule = Rule {
    field: "uomCode",
    max: 8,
    extra: Some(""),
};
const NAME: Rule = Rule {
    field: "name",
    max: 512,
    extra: None,
};
const SUPPLIER: Rule = Rule {
    field: "supplier",
    max: 64,
    extra: None,
};
const PART: Rule = Rule {
    field: "part",
    max: 128,
    extra: None,
};
const CATEGORY: Rule = Rule {
    field: "category",
    max: 256,
    extra: None,
};

impl Barcode {
    pub fn validate(&self) -> Result<(), Invalid> {
        Barcode::check_value(&self.barcode)?;
        BARCODE_TYPE.check(&self.barcode_type)?;
        FORMAT.check(&self.format)?;
        PRODUCT_SKU.check(&self.product_sku)?;
        UOM.check(&self.uom_code)?;
        if self.quantity == 0 {
            return Err(Invalid("quantity must be a positive integer".into()));
        }
        Ok(())
    }

    /// Checks a scanned value as a record keeps it: printable, at most 256
    /// characters, no spaces around it.
    pub fn check_value(value: &str) -> Result<(), Invalid> {
        BARCODE.check(value)?;
        if value.trim() != value {
            return Err(Invalid("barcode has spaces around it".into()));
        }
        Ok(())
    }

    /// The uniqueness key: one record per product, barcode type and unit.
    pub fn pack_key(&self) -> (&str, &str, &str) {
        (&self.product_sku, &self.barcode_type, &self.uom_code)
    }

    /// How the record is named in messages: its id and pack key.
    pub fn describe(&self) -> String {
        format!(
            "{} (barcode {}, productSku {}, barcodeType {}, uomCode {})",
            self.id, self.barcode, self.product_sku, self.barcode_type, self.uom_code
        )
    }
}

impl Product {
    pub fn validate(&self) -> Result<(), Invalid> {
        SKU.check(&self.sku)?;
        NAME.check(&self.name)?;
        CATEGORY.check(&self.category)?;
        if !(self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(Invalid(format!(
                "currency must be an ISO 4217 code of three capital letters, not {:?}",
                self.currency
            )));
        }
        if self.supplier_parts.len() > MAX_SUPPLIER_PARTS {
            return Err(Invalid(format!(
                "a product may carry at most {MAX_SUPPLIER_PARTS} supplierParts"
            )));
        }
        for (i, entry) in self.supplier_parts.iter().enumerate() {
            SUPPLIER.check(&entry.supplier)?;
            PART.check(&entry.part)?;
            if self.supplier_parts[..i].contains(entry) {
                return Err(Invalid(format!(
                    "supplierParts lists {} {} twice",
                    entry.supplier, entry.part
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_keep_their_exact_digits() {
        for (input, kept) in [
            ("12.99", "12.99"),
            ("0.1", "0.1"),
            ("007.50", "7.50"),
            ("0", "0"),
        ] {
            assert_eq!(Price::parse(input).unwrap().as_str(), kept);
        }
        let price: Price = serde_json::from_str("1234567.8901").unwrap();
        assert_eq!(serde_json::to_string(&price).unwrap(), "1234567.8901");
        let price: Price = serde_json::from_str("\"12.99\"").unwrap();
        assert_eq!(serde_json::to_string(&price).unwrap(), "12.99");
    }

    #[test]
    fn prices_that_would_lose_or_invent_money_are_refused() {
        for bad in [
            "",
            "-1",
            "1.",
            ".5",
            "1.23456",
            "1e3",
            "12,99",
            "1234567890123",
        ] {
            assert!(Price::parse(bad).is_err(), "{bad:?}");
        }
    }
}
