//! Supplier labels as InvenTree's supplier plugins read them: ISO/IEC 15434
//! messages with ECIA data identifiers (DigiKey, Mouser, and most
//! distributors' reel and bag labels), read into the standard field names
//! that the Python SDK's `SupplierBarcodeMixin` and the JavaScript SDK's
//! `SupplierBarcodePlugin` use too, so a label reads alike in every
//! language.
//!
//! ```
//! use barcode_plugin_sdk::supplier::{self, QUANTITY, SUPPLIER_PART_NUMBER};
//!
//! let label = "[)>\u{1e}06\u{1d}P296-LM358BIDDFRCT-ND\u{1d}1PLM358BIDDFR\u{1d}Q10\u{1e}\u{4}";
//! let fields = supplier::parse_ecia_barcode2d(label);
//! assert_eq!(fields.get(SUPPLIER_PART_NUMBER), Some("296-LM358BIDDFRCT-ND"));
//! assert_eq!(fields.quantity(), Some(10));
//! ```

/// Our purchase order's number, as the supplier prints it (ECIA `K`).
pub const CUSTOMER_ORDER_NUMBER: &str = "customer_order_number";
/// The supplier's own order number (ECIA `1K`).
pub const SUPPLIER_ORDER_NUMBER: &str = "supplier_order_number";
/// The packing list (ECIA `11K`).
pub const PACKING_LIST_NUMBER: &str = "packing_list_number";
/// When it shipped (ECIA `6D`).
pub const SHIP_DATE: &str = "ship_date";
/// Our own part number, when the supplier prints it.
pub const CUSTOMER_PART_NUMBER: &str = "customer_part_number";
/// The supplier's part number (ECIA `P` or `30P`).
pub const SUPPLIER_PART_NUMBER: &str = "supplier_part_number";
/// The line of our purchase order (ECIA `4K` or `14K`).
pub const PURCHASE_ORDER_LINE: &str = "purchase_order_line";
/// How many units the package holds (ECIA `Q`).
pub const QUANTITY: &str = "quantity";
/// The manufacturer's date code (ECIA `9D` or `10D`).
pub const DATE_CODE: &str = "date_code";
/// The lot (ECIA `1T`).
pub const LOT_CODE: &str = "lot_code";
/// Where it was made (ECIA `4L`).
pub const COUNTRY_OF_ORIGIN: &str = "country_of_origin";
/// Who made it (ECIA `1V`).
pub const MANUFACTURER: &str = "manufacturer";
/// The manufacturer's part number (ECIA `1P`).
pub const MANUFACTURER_PART_NUMBER: &str = "manufacturer_part_number";

/// ECIA data identifiers and the names they are read as, in the order they
/// are tried: a field takes the first identifier that prefixes it.
pub const ECIA_FIELDS: [(&str, &str); 15] = [
    ("K", CUSTOMER_ORDER_NUMBER),
    ("1K", SUPPLIER_ORDER_NUMBER),
    ("11K", PACKING_LIST_NUMBER),
    ("6D", SHIP_DATE),
    ("9D", DATE_CODE),
    ("10D", DATE_CODE),
    ("4K", PURCHASE_ORDER_LINE),
    ("14K", PURCHASE_ORDER_LINE),
    ("P", SUPPLIER_PART_NUMBER),
    ("1P", MANUFACTURER_PART_NUMBER),
    ("30P", SUPPLIER_PART_NUMBER),
    ("1T", LOT_CODE),
    ("4L", COUNTRY_OF_ORIGIN),
    ("1V", MANUFACTURER),
    ("Q", QUANTITY),
];

const HEADER: &str = "[)>\u{1e}06\u{1d}";
const OLD_MOUSER_HEADER: &str = ">[)>06\u{1d}";
const TRAILER: &str = "\u{1e}\u{4}";
const DELIMITER: char = '\u{1d}';

/// A label's fields under the standard names, in the order first found; a
/// name found again keeps its place and takes the later value, as a Python
/// `dict` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(&'static str, String)>);

impl Fields {
    /// Sets `name` to `value`.
    pub fn insert(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(seen, _)| *seen == name) {
            Some((_, old)) => *old = value,
            None => self.0.push((name, value)),
        }
    }

    /// The value of `name`, if the label has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(seen, _)| *seen == name)
            .map(|(_, value)| value.as_str())
    }

    /// The quantity as whole units: `None` when the label has none, or one
    /// that is not a number from 1 to 4294967295.
    pub fn quantity(&self) -> Option<u32> {
        self.get(QUANTITY)?.trim().parse().ok().filter(|n| *n > 0)
    }

    /// Whether the label had no field with a standard name.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields as (name, value) pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(name, value)| (*name, value.as_str()))
    }
}

/// `data` without `header` and `trailer`, split at `delimiter`.
pub fn split_fields<'a>(
    data: &'a str,
    delimiter: char,
    header: &str,
    trailer: &str,
) -> Vec<&'a str> {
    let data = data.strip_prefix(header).unwrap_or(data);
    let data = data.strip_suffix(trailer).unwrap_or(data);
    data.split(delimiter).collect()
}

/// The fields of an ISO/IEC 15434 format 06 message (`[)>` RS `06` GS ...
/// RS EOT), also behind Mouser's old `>[)>06` header; empty for anything
/// else.
pub fn parse_isoiec_15434_barcode2d(data: &str) -> Vec<&str> {
    let Some(body) = data
        .strip_prefix(HEADER)
        .or_else(|| data.strip_prefix(OLD_MOUSER_HEADER))
    else {
        return Vec::new();
    };
    split_fields(body, DELIMITER, "", TRAILER)
}

/// The standard fields of an ECIA label; identifiers without a standard
/// name are left out. Empty for data that is not ISO/IEC 15434.
pub fn parse_ecia_barcode2d(data: &str) -> Fields {
    let mut fields = Fields::default();
    for field in parse_isoiec_15434_barcode2d(data) {
        if let Some((identifier, name)) = ECIA_FIELDS.iter().find(|(id, _)| field.starts_with(id)) {
            fields.insert(name, &field[identifier.len()..]);
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    /// InvenTree's test labels (guest-plugins/ecia/vectors, from
    /// InvenTree's test_supplier_barcodes.py) read as InvenTree reads them.
    #[test]
    fn inventrees_labels_read_as_inventree_reads_them() {
        let vectors: serde_json::Value = serde_json::from_str(include_str!(
            "../../guest-plugins/ecia/vectors/supplier-labels.json"
        ))
        .unwrap();
        let mut ecia = 0;
        for vector in vectors["vectors"].as_array().unwrap() {
            let data = vector["data"].as_str().unwrap();
            let fields = parse_ecia_barcode2d(data);
            if !data.contains("06\u{1d}") {
                assert!(fields.is_empty(), "{}", vector["name"]);
                continue;
            }
            ecia += 1;
            let expected = vector["fields"].as_object().unwrap();
            let read: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(name, value)| (name.to_owned(), value.into()))
                .collect();
            assert_eq!(&read, expected, "{}", vector["name"]);
        }
        assert_eq!(ecia, 5);
    }

    #[test]
    fn a_name_found_twice_keeps_its_place_and_takes_the_later_value() {
        let fields = parse_ecia_barcode2d("[)>\u{1e}06\u{1d}PA\u{1d}Q5\u{1d}30PB\u{1e}\u{4}");
        let pairs: Vec<_> = fields.iter().collect();
        assert_eq!(pairs, [(SUPPLIER_PART_NUMBER, "B"), (QUANTITY, "5")]);
    }

    #[test]
    fn a_quantity_is_whole_units_or_none() {
        for (text, quantity) in [
            ("10", Some(10)),
            ("0", None),
            ("x", None),
            ("4294967296", None),
        ] {
            let mut fields = Fields::default();
            fields.insert(QUANTITY, text);
            assert_eq!(fields.quantity(), quantity, "{text}");
        }
    }
}
