//! Supplier labels on component reels and bags: ISO/IEC 15434 format 06
//! (`[)>` RS `06` GS fields... RS EOT) with the ECIA / ANSI MH10.8.2 data
//! identifiers that DigiKey and Mouser print, Mouser's old `>[)>06` header,
//! and the QR formats of LCSC (`{pc:..,qty:..}`) and TME (`QTY:1 PN:..`).
//!
//! Fields come back under their data identifiers (`P`, `1P`, `Q`, ...) and
//! under names: `supplier_part_number`, `manufacturer_part_number`,
//! `quantity`, `customer_order_number`, `supplier_order_number`,
//! `purchase_order_line`, `packing_list_number`, `country_of_origin`,
//! `manufacturer`, `date_code`, `lot_code`, `ship_date` (the SDK's
//! `supplier` names, InvenTree's). The lookup code is the supplier part
//! number (else the manufacturer's), and `Q` is the quantity.
//!
//! Receiving: with the setting `receive=on` (`barcoded plugin config ecia
//! receive=on`) and the `catalog-read` and `po-receive` capabilities, a label
//! that names a purchase order (`K`), a part and a quantity books the
//! quantity against that order's line for the product whose supplier part
//! number the label carries. The `receipt` field says what happened.

use barcode_plugin_sdk::supplier::ECIA_FIELDS;
use barcode_plugin_sdk::{
    Plugin, PluginInfo, ScanError, ScanResult, catalog, config, export_plugin, purchasing,
};

struct Ecia;

impl Plugin for Ecia {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "ecia".into(),
            title: "Supplier labels (ISO/IEC 15434, ECIA)".into(),
            description: "DigiKey, Mouser and other ECIA labels in ISO/IEC 15434 format 06, \
                          and LCSC and TME QR codes."
                .into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        let receiving =
            config("receive").is_some_and(|on| matches!(on.as_str(), "on" | "true" | "yes"));
        let result = decode(data)?;
        Ok(match result {
            Some(result) if receiving => {
                let receipt = receive(&result);
                Some(result.field("receipt", receipt))
            }
            other => other,
        })
    }
}

/// Books a label's quantity against its purchase order, and says how it went.
fn receive(result: &ScanResult) -> String {
    let order = result
        .fields
        .iter()
        .find(|f| f.key == "customer_order_number")
        .map(|f| f.value.as_str());
    let (Some(order), Some(part), Some(quantity)) =
        (order, result.lookup_code.as_deref(), result.quantity)
    else {
        return "not received: the label does not name a purchase order (K), a part and a \
                quantity (Q)"
            .into();
    };
    let sku = match catalog::by_supplier_part(part) {
        Ok(products) if products.len() == 1 => products[0].sku.clone(),
        Ok(products) if products.is_empty() => {
            return format!("not received: no product in the catalog lists supplier part {part}");
        }
        Ok(_) => return format!("not received: several products list supplier part {part}"),
        Err(error) => return format!("not received: {}", error.message()),
    };
    match purchasing::receive(order, &sku, quantity) {
        Ok(line) => format!(
            "received {quantity} of {sku} against {order}: {} of {} now received",
            line.received, line.ordered
        ),
        Err(error) => format!("not received: {}", error.message()),
    }
}

export_plugin!(Ecia);

const RS: char = '\u{1e}';
const GS: char = '\u{1d}';
const EOT: char = '\u{4}';
const FORMAT: &str = "ISO 15434";

fn decode(data: &str) -> Result<Option<ScanResult>, ScanError> {
    if let Some(fields) = iso15434(data) {
        return labelled(FORMAT, fields?).map(Some);
    }
    if let Some(fields) = lcsc(data) {
        return labelled("LCSC", fields).map(Some);
    }
    if let Some(fields) = tme(data) {
        return labelled("TME", fields).map(Some);
    }
    Ok(None)
}

/// The (data identifier, value) pairs of a format 06 message.
fn iso15434(data: &str) -> Option<Result<Vec<(String, String)>, ScanError>> {
    let body = data
        .strip_prefix("[)>\u{1e}06\u{1d}")
        .or_else(|| data.strip_prefix(">[)>06\u{1d}"))?;
    let body = body.trim_end_matches([RS, EOT]);
    let mut fields = Vec::new();
    for field in body.split(GS) {
        match split_identifier(field) {
            Some((identifier, value)) => fields.push((identifier.to_owned(), value.to_owned())),
            None => {
                return Some(Err(ScanError::new(
                    FORMAT,
                    format!(
                        "field {field:?} does not start with a data identifier (digits, then a letter)"
                    ),
                )));
            }
        }
    }
    Some(Ok(fields))
}

/// `30P296-LM358` into ("30P", "296-LM358"): up to three digits, a letter.
fn split_identifier(field: &str) -> Option<(&str, &str)> {
    let digits = field.bytes().take_while(u8::is_ascii_digit).count();
    let letter = field.as_bytes().get(digits)?;
    (digits <= 3 && letter.is_ascii_uppercase()).then(|| field.split_at(digits + 1))
}

/// LCSC's QR: `{pbn:PICK..,on:SO..,pc:C312270,pm:ST-1-102,qty:2,...}`.
fn lcsc(data: &str) -> Option<Vec<(String, String)>> {
    let inner = data.strip_prefix('{')?.strip_suffix('}')?;
    let pairs: Vec<(&str, &str)> = inner
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    };
    let part = get("pc")?;
    let mut fields = vec![("P".to_owned(), part)];
    let more = [("pm", "1P"), ("qty", "Q"), ("on", "1K")];
    fields.extend(
        more.iter()
            .filter_map(|(key, id)| get(key).map(|v| ((*id).to_owned(), v))),
    );
    Some(fields)
}

/// TME's QR (`QTY:1 PN:WBP-302 PO:19361337/1 CPO:.. MFR:.. MPN:..`) or its
/// older 2D code (`PWBP-302 1PMPNWBP-302 Q1 K19361337/1`).
fn tme(data: &str) -> Option<Vec<(String, String)>> {
    let tokens: Vec<&str> = data.split(' ').collect();
    let keyed = |key: &str| {
        tokens
            .iter()
            .find_map(|t| t.strip_prefix(key))
            .map(str::to_owned)
    };
    if let (Some(quantity), Some(part)) = (keyed("QTY:"), keyed("PN:")) {
        let mut fields = vec![("Q".to_owned(), quantity), ("P".to_owned(), part)];
        let order = keyed("PO:").map(|po| po.split('/').next().unwrap_or_default().to_owned());
        let more = [
            ("1K", order),
            ("K", keyed("CPO:")),
            ("1V", keyed("MFR:")),
            ("1P", keyed("MPN:")),
        ];
        fields.extend(
            more.into_iter()
                .filter_map(|(id, v)| v.map(|v| (id.to_owned(), v))),
        );
        return Some(fields);
    }
    let old_2d = tokens.len() >= 2
        && tokens[0].starts_with('P')
        && tokens.iter().any(|t| {
            t.strip_prefix('Q')
                .is_some_and(|q| !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()))
        });
    if !old_2d {
        return None;
    }
    let fields = tokens
        .iter()
        .filter_map(|token| split_identifier(token))
        .filter(|(id, _)| matches!(*id, "P" | "Q"))
        .map(|(id, value)| (id.to_owned(), value.to_owned()))
        .collect();
    Some(fields)
}

/// A result from (data identifier, value) pairs.
fn labelled(format: &str, fields: Vec<(String, String)>) -> Result<ScanResult, ScanError> {
    let value = |id: &str| {
        fields
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, v)| v.as_str())
    };
    let mut result = ScanResult::new(format);
    if let Some(quantity) = value("Q") {
        let quantity = quantity.parse().map_err(|_| {
            ScanError::new(
                format,
                format!("quantity (Q) {quantity:?} is not a whole number"),
            )
        })?;
        result = result.quantity(quantity);
    }
    if let Some(part) = value("P")
        .or(value("30P"))
        .or(value("1P"))
        .filter(|p| !p.is_empty())
    {
        result = result.lookup_code(part);
    }
    for (identifier, value) in &fields {
        if result.fields.iter().any(|f| f.key == *identifier) {
            continue;
        }
        result = result.field(identifier.clone(), value.clone());
        if let Some((_, name)) = ECIA_FIELDS.iter().find(|(id, _)| id == identifier)
            && !result.fields.iter().any(|f| f.key == *name)
        {
            result = result.field(*name, value.clone());
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real labels from InvenTree's supplier-barcode tests, with the fields
    /// its parsers extract (vectors/supplier-labels.json cites the source).
    #[test]
    fn every_distributors_labels_decode_to_the_expected_fields() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../vectors/supplier-labels.json")).unwrap();
        let vectors = file["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 8);
        for vector in vectors {
            let name = vector["name"].as_str().unwrap();
            let result = decode(vector["data"].as_str().unwrap())
                .unwrap_or_else(|e| panic!("{name}: {}", e.reason))
                .unwrap_or_else(|| panic!("{name}: not recognised"));
            for (key, expected) in vector["fields"].as_object().unwrap() {
                let found = result
                    .fields
                    .iter()
                    .find(|f| f.key == *key)
                    .map(|f| f.value.as_str());
                assert_eq!(found, expected.as_str(), "{name}: {key}");
            }
        }
    }

    #[test]
    fn a_digikey_label_names_its_lookup_code_and_quantity() {
        let label = "[)>\u{1e}06\u{1d}P296-LM358BIDDFRCT-ND\u{1d}1PLM358BIDDFR\u{1d}Q10\u{1d}9D2151\u{1d}1TLOT42\u{1e}\u{4}";
        let result = decode(label).unwrap().unwrap();
        assert_eq!(result.format, "ISO 15434");
        assert_eq!(result.lookup_code.as_deref(), Some("296-LM358BIDDFRCT-ND"));
        assert_eq!(result.quantity, Some(10));
        let field = |key: &str| {
            result
                .fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.value.as_str())
        };
        assert_eq!(field("date_code"), Some("2151"));
        assert_eq!(field("lot_code"), Some("LOT42"));
    }

    #[test]
    fn broken_labels_are_errors_and_other_data_is_not_ours() {
        let reason = |data: &str| decode(data).unwrap_err().reason;
        assert_eq!(
            reason("[)>\u{1e}06\u{1d}P123\u{1d}Qmany"),
            "quantity (Q) \"many\" is not a whole number"
        );
        assert!(
            reason("[)>\u{1e}06\u{1d}P123\u{1d}-oops")
                .contains("does not start with a data identifier")
        );
        for other in [
            "4006381333931",
            "(01)09521234543213",
            "HELLO-x",
            "{}",
            "PLAIN TEXT",
        ] {
            assert!(decode(other).unwrap().is_none(), "{other}");
        }
    }
}
