//! The service's own QR codes (as `GET /api/barcode/qr/...` draws them): a
//! JSON object naming a barcode record, `{"barcode": "15410317126586",
//! "uomCode": "CA"}`, or a product, `{"product": "DV-KAT-SENIOR-2KG"}`.
//!
//! The lookup code is the barcode value or the SKU; the server joins either
//! to its catalog. Other JSON is not ours; ours with a wrong shape is an
//! error saying what is wrong.

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};
use serde_json::{Map, Value};

struct NativeQr;

impl Plugin for NativeQr {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "native-qr".into(),
            title: "barcoded QR codes".into(),
            description: "The service's own QR codes for barcode records and products.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        decode(data)
    }
}

export_plugin!(NativeQr);

const FORMAT: &str = "barcoded QR";

fn decode(data: &str) -> Result<Option<ScanResult>, ScanError> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(data) else {
        return Ok(None);
    };
    let names_record = object.contains_key("barcode");
    let names_product = object.contains_key("product");
    if !names_record && !names_product {
        return Ok(None);
    }
    let fail = |reason: &str| ScanError::new(FORMAT, reason);
    if names_record && names_product {
        return Err(fail("names both a barcode and a product; a code names one"));
    }
    let allowed: &[&str] = if names_record {
        &["barcode", "uomCode"]
    } else {
        &["product"]
    };
    if let Some(unknown) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(fail(&format!("unknown key {unknown:?}")));
    }
    let text = |key: &str| text_value(&object, key).map_err(|reason| fail(&reason));
    let result = if names_record {
        let mut result = ScanResult::new(FORMAT).lookup_code(text("barcode")?.unwrap_or_default());
        result = result.field("barcode", text("barcode")?.unwrap_or_default());
        if let Some(uom) = text("uomCode")? {
            result = result.uom_code(uom.clone()).field("uomCode", uom);
        }
        result
    } else {
        let sku = text("product")?.unwrap_or_default();
        ScanResult::new(FORMAT)
            .lookup_code(sku.clone())
            .field("product", sku)
    };
    Ok(Some(result))
}

/// The non-empty string under `key`, if present.
fn text_value(object: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.clone())),
        Some(_) => Err(format!("{key} must be a non-empty string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: &ScanResult, key: &str) -> Option<String> {
        result
            .fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.clone())
    }

    #[test]
    fn record_and_product_codes_name_what_to_look_up() {
        let record = decode(r#"{"barcode":"15410317126586","uomCode":"CA"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(record.lookup_code.as_deref(), Some("15410317126586"));
        assert_eq!(record.uom_code.as_deref(), Some("CA"));
        let product = decode(r#"{"product":"DV-KAT-SENIOR-2KG"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(product.lookup_code.as_deref(), Some("DV-KAT-SENIOR-2KG"));
        assert_eq!(
            field(&product, "product").as_deref(),
            Some("DV-KAT-SENIOR-2KG")
        );
    }

    #[test]
    fn malformed_codes_are_errors_and_other_data_is_not_ours() {
        let reason = |data: &str| decode(data).unwrap_err().reason;
        assert_eq!(
            reason(r#"{"barcode":""}"#),
            "barcode must be a non-empty string"
        );
        assert_eq!(
            reason(r#"{"barcode":"1","product":"S"}"#),
            "names both a barcode and a product; a code names one"
        );
        assert_eq!(
            reason(r#"{"product":"S","extra":1}"#),
            "unknown key \"extra\""
        );
        for other in [
            "4006381333931",
            "{pc:C1,qty:2}",
            r#"{"stockitem":12}"#,
            "[1,2]",
            "HELLO-x",
        ] {
            assert!(decode(other).unwrap().is_none(), "{other}");
        }
    }
}
