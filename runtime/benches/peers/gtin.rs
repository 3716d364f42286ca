//! The gtin plugin's EAN-13 decode with no sandbox, for the HTTP bench's
//! peers: compiled natively into a hyper handler it is peer (d), the scan
//! ceiling; compiled to a `wasi:http` component served by `wasmtime serve`
//! it is peer (e). Both answer a scan request's body in the scan API's shape.

/// The JSON answer to a scan request body such as `{"barcode_data":"..."}`.
pub fn answer(body: &[u8]) -> Vec<u8> {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let data = request["barcode_data"].as_str().unwrap_or_default().trim();
    let digits: Vec<u32> = data.chars().filter_map(|c| c.to_digit(10)).collect();
    let answer = if digits.len() == 13 && data.len() == 13 {
        let (body, check) = digits.split_at(12);
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
            .sum();
        if (10 - sum % 10) % 10 == check[0] {
            let gtin = format!("0{data}");
            serde_json::json!({ "plugin": "native", "barcode_data": data, "result": {
                "format": "EAN-13", "lookup_code": gtin, "uom_code": null, "quantity": null,
                "fields": { "gtin": gtin }, "payload": null } })
        } else {
            serde_json::json!({ "error": "Invalid EAN-13 barcode: wrong check digit" })
        }
    } else {
        serde_json::json!({ "error": "No match found for barcode data" })
    };
    serde_json::to_vec(&answer).unwrap_or_default()
}
