//! Real decoders through `POST /api/barcode/`, joined to the demo catalog.

use serde_json::json;

use crate::harness::{Server, data_dir_with};

#[test]
fn a_gs1_datamatrix_answers_with_product_batch_expiry_and_quantity() {
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-gs1.wasm", "gs1")]),
        &["--demo"],
    );
    // ]d2: GS1 DataMatrix; (01) GTIN, (17) expiry, (10) batch, GS, (30) count.
    let data = concat!(
        "]d2",
        "0104006381333931",
        "17261231",
        "10ABC123",
        "\u{1d}",
        "3012"
    );
    let response = server.scan(&json!({ "barcode_data": data }));
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body["plugin"], "gs1");
    assert_eq!(body["result"]["format"], "GS1 DataMatrix");
    assert_eq!(body["result"]["lookup_code"], "04006381333931");
    assert_eq!(body["result"]["quantity"], 12);
    assert_eq!(body["result"]["fields"]["batch"], "ABC123");
    assert_eq!(body["result"]["fields"]["expiry"], "2026-12-31");
    assert_eq!(body["product"]["sku"], "STABILO-68-BLACK");
    assert_eq!(body["barcode"]["barcode"], "4006381333931");
    assert_eq!(body["result"]["payload"]["elements"][0]["title"], "GTIN");
    // The plugin's order, which the object's keys lose in many readers.
    assert_eq!(
        body["result"]["field_order"],
        json!(["01", "gtin", "17", "expiry", "10", "batch", "30", "count"])
    );
}

#[test]
fn an_invalid_gs1_string_is_refused_with_the_ai_and_the_reason() {
    let server = Server::start(data_dir_with(&[("20-gs1.wasm", "gs1")]));
    let response = server.scan(&json!({"barcode_data": "(01)04006381333931(17)261331"}));
    assert_eq!(response.status, 422, "{}", response.body);
    assert_eq!(response.json()["reason"], "AI (17): The date is not valid.");
}

#[test]
fn a_gs1_digital_link_decodes_to_the_same_fields() {
    let server = Server::start(data_dir_with(&[("20-gs1.wasm", "gs1")]));
    let uri = "https://id.gs1.org/01/09520123456788/10/ABC?17=201225";
    let response = server.scan(&json!({ "barcode_data": uri }));
    assert_eq!(response.status, 200, "{}", response.body);
    let result = &response.json()["result"];
    assert_eq!(result["format"], "GS1 Digital Link");
    assert_eq!(result["lookup_code"], "09520123456788");
    assert_eq!(result["fields"]["batch"], "ABC");
    assert_eq!(result["fields"]["expiry"], "2020-12-25");
    // A web address without a GS1 key is not GS1's: no match, not an error.
    let response = server.scan(&json!({"barcode_data": "https://example.com/products/42"}));
    assert_eq!(response.status, 404, "{}", response.body);
}

#[test]
fn a_digikey_reel_label_decodes_with_its_part_numbers_and_quantity() {
    let server = Server::start(data_dir_with(&[
        ("10-gtin.wasm", "gtin"),
        ("30-ecia.wasm", "ecia"),
    ]));
    let label = "[)>\u{1e}06\u{1d}P296-LM358BIDDFRCT-ND\u{1d}1PLM358BIDDFR\u{1d}K\u{1d}1K72991337\u{1d}4LPH\u{1d}Q10\u{1e}\u{4}";
    let response = server.scan(&json!({ "barcode_data": label }));
    assert_eq!(response.status, 200, "{}", response.body);
    let result = &response.json()["result"];
    assert_eq!(response.json()["plugin"], "ecia");
    assert_eq!(result["lookup_code"], "296-LM358BIDDFRCT-ND");
    assert_eq!(result["quantity"], 10);
    assert_eq!(result["fields"]["manufacturer_part_number"], "LM358BIDDFR");
    assert_eq!(result["fields"]["country_of_origin"], "PH");
}

#[test]
fn the_services_own_qr_codes_are_drawn_and_scanned_back_to_the_catalog() {
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin"), ("40-native-qr.wasm", "native_qr")]),
        &["--demo"],
    );
    let svg = server.get("/api/barcode/qr/15410317126586?uomCode=CA");
    assert_eq!(svg.status, 200, "{}", svg.body);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.body.contains("<svg"), "{}", svg.body);
    assert_eq!(
        server
            .get("/api/barcode/qr/product/DV-KAT-SENIOR-2KG")
            .status,
        200
    );
    assert_eq!(server.get("/api/barcode/qr/9999999999999").status, 404);
    assert_eq!(server.get("/api/barcode/qr/product/NOPE").status, 404);
    assert_eq!(
        server
            .request_as(None, "GET", "/api/barcode/qr/15410317126586", b"")
            .status,
        401
    );

    // What those codes carry (the round trip itself is a unit test of the drawing).
    let record =
        server.scan(&json!({"barcode_data": r#"{"barcode":"15410317126586","uomCode":"CA"}"#}));
    assert_eq!(record.status, 200, "{}", record.body);
    assert_eq!(record.json()["plugin"], "native-qr");
    assert_eq!(record.json()["barcode"]["quantity"], 4);
    assert_eq!(record.json()["product"]["sku"], "DV-KAT-SENIOR-2KG");
    let product = server.scan(&json!({"barcode_data": r#"{"product":"DV-KAT-SENIOR-2KG"}"#}));
    assert_eq!(product.json()["barcode"], serde_json::Value::Null);
    assert_eq!(
        product.json()["product"]["name"],
        "Dragonvale Cat Senior 2kg"
    );
}
