//! The back office's writes over HTTP, as the console makes them: catalog
//! records, stock adjusted and moved, orders created and received by hand.
//! Each refusal names the field at fault; each change is in the audit trail
//! under the key that made it.

use serde_json::{Value, json};

use crate::harness::{Server, cli_ok, create_key, data_dir_with};

/// A server with the demo catalog and an `admin` key named `clerk-admin`.
fn server() -> (Server, String) {
    let data = data_dir_with(&[]);
    let admin = create_key(data.path(), "clerk-admin", "admin");
    (
        Server::start_with(data, &["--demo"]),
        format!("Bearer {admin}"),
    )
}

fn send(server: &Server, admin: &str, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = server.request_as(Some(admin), method, path, body.to_string().as_bytes());
    (response.status, response.json())
}

fn audit_operations(server: &Server, admin: &str) -> Vec<(String, String)> {
    let response = server.request_as(
        Some(admin),
        "GET",
        "/api/admin/audit?actor=clerk-admin",
        b"",
    );
    assert_eq!(response.status, 200);
    response.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn products_and_barcode_records_are_written_and_refusals_name_their_field() {
    let (server, admin) = server();
    let product =
        json!({"name": "Tea 100 g", "category": "Drinks", "unitPrice": "3.20", "currency": "EUR"});
    let (status, written) = send(
        &server,
        &admin,
        "PUT",
        "/api/catalog/products/TEA-100",
        &product,
    );
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["sku"], "TEA-100");
    assert_eq!(written["unitPrice"].to_string(), "3.20");

    for (body, field) in [
        (
            json!({"name": "Tea", "category": "Drinks", "unitPrice": 1, "currency": "eur"}),
            "currency",
        ),
        (
            json!({"name": " ", "category": "Drinks", "unitPrice": 1, "currency": "EUR"}),
            "name",
        ),
        (
            json!({"name": "Tea", "category": "Drinks", "unitPrice": "1,50", "currency": "EUR"}),
            "unitPrice",
        ),
        (
            json!({"category": "Drinks", "unitPrice": 1, "currency": "EUR"}),
            "name",
        ),
        (
            json!({"sku": "OTHER", "name": "Tea", "category": "Drinks", "unitPrice": 1, "currency": "EUR"}),
            "sku",
        ),
    ] {
        let (status, refused) = send(
            &server,
            &admin,
            "PUT",
            "/api/catalog/products/TEA-100",
            &body,
        );
        assert_eq!(
            (status, refused["field"].as_str()),
            (400, Some(field)),
            "{body} -> {refused}"
        );
    }

    let record = json!({"barcode": "TEA-100-EA", "barcodeType": "INTERNAL", "productSku": "TEA-100", "uomCode": "EA"});
    let (status, added) = send(&server, &admin, "POST", "/api/catalog/barcodes", &record);
    assert_eq!(status, 201, "{added}");
    let id = added["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (added["format"].as_str(), added["isActive"].as_bool()),
        (Some("INTERNAL"), Some(true))
    );
    let found = server.get("/api/barcode/lookup/TEA-100-EA");
    assert_eq!(found.status, 200);
    assert_eq!(found.json()["product"]["name"], "Tea 100 g");

    // The same product, type and unit again: the clash names the record.
    let (status, clash) = send(
        &server,
        &admin,
        "POST",
        "/api/catalog/barcodes",
        &json!({"barcode": "OTHER", "barcodeType": "INTERNAL", "productSku": "TEA-100", "uomCode": "EA"}),
    );
    assert_eq!(status, 409);
    assert!(clash["error"].as_str().unwrap().contains(&id), "{clash}");
    assert_eq!(clash["field"], "productSku");
    let (status, refused) = send(
        &server,
        &admin,
        "POST",
        "/api/catalog/barcodes",
        &json!({"barcode": "X", "barcodeType": "INTERNAL", "productSku": "TEA-100", "uomCode": "CA", "quantity": 0}),
    );
    assert_eq!((status, refused["field"].as_str()), (400, Some("quantity")));

    // An edit replaces the fields and keeps the record active.
    let edit = json!({"barcode": "TEA-100-CASE", "barcodeType": "INTERNAL", "productSku": "TEA-100", "uomCode": "CA", "quantity": 12});
    let (status, edited) = send(
        &server,
        &admin,
        "PUT",
        &format!("/api/catalog/barcodes/{id}"),
        &edit,
    );
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        (edited["quantity"].as_u64(), edited["isActive"].as_bool()),
        (Some(12), Some(true))
    );
    assert_eq!(server.get("/api/barcode/lookup/TEA-100-EA").status, 404);
    assert_eq!(
        server
            .get("/api/barcode/lookup/TEA-100-CASE?uomCode=CA")
            .status,
        200
    );

    let (status, _) = send(
        &server,
        &admin,
        "POST",
        &format!("/api/catalog/barcodes/{id}/deactivate"),
        &json!({}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        server
            .get("/api/barcode/lookup/TEA-100-CASE?uomCode=CA")
            .status,
        404
    );
    let (status, back) = send(
        &server,
        &admin,
        "POST",
        &format!("/api/catalog/barcodes/{id}/reactivate"),
        &json!({}),
    );
    assert_eq!((status, back["isActive"].as_bool()), (200, Some(true)));
    assert_eq!(
        server
            .get("/api/barcode/lookup/TEA-100-CASE?uomCode=CA")
            .status,
        200
    );
    let (status, _) = send(
        &server,
        &admin,
        "PUT",
        "/api/catalog/barcodes/00000000-0000-7000-8000-000000000000",
        &edit,
    );
    assert_eq!(status, 404);

    // A pos key reads the catalog but may not write it.
    let pos = server.request(
        "PUT",
        "/api/catalog/products/TEA-100",
        product.to_string().as_bytes(),
    );
    assert_eq!(pos.status, 403);

    let operations = audit_operations(&server, &admin);
    for expected in [
        ("product.put", "TEA-100".to_owned()),
        ("barcode.add", id.clone()),
        ("barcode.edit", id.clone()),
        ("barcode.deactivate", id.clone()),
        ("barcode.activate", id.clone()),
    ] {
        assert!(
            operations
                .iter()
                .any(|(op, target)| (op.as_str(), target) == (expected.0, &expected.1)),
            "{expected:?} not in {operations:?}"
        );
    }
}

#[test]
fn stock_is_adjusted_and_moved_by_hand_both_levels_or_neither() {
    let (server, admin) = server();
    let sku = "STABILO-68-BLACK";
    let adjust = json!({"sku": sku, "location": "RECEIVING", "delta": 30, "reason": "counted"});
    let (status, booked) = send(&server, &admin, "POST", "/api/stock", &adjust);
    assert_eq!(status, 200, "{booked}");
    assert_eq!(booked["movements"][0]["level"], 30);

    let (status, moved) = send(
        &server,
        &admin,
        "POST",
        "/api/stock",
        &json!({"sku": sku, "from": "RECEIVING", "to": "SHELF-A1", "quantity": 12, "reason": "put away"}),
    );
    assert_eq!(status, 200, "{moved}");
    let levels: Vec<(String, i64)> = moved["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["location"].as_str().unwrap().to_owned(),
                m["level"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [("RECEIVING".to_owned(), 18), ("SHELF-A1".to_owned(), 12)]
    );

    for (body, status, field) in [
        (
            json!({"sku": sku, "from": "SHELF-A1", "to": "SHELF-A1", "quantity": 1, "reason": "x"}),
            409,
            "to",
        ),
        (
            json!({"sku": sku, "from": "SHELF-A1", "to": "", "quantity": 1, "reason": "x"}),
            400,
            "to",
        ),
        (
            json!({"sku": sku, "from": "SHELF-A1", "to": "B", "quantity": 0, "reason": "x"}),
            400,
            "quantity",
        ),
        (
            json!({"sku": sku, "from": "SHELF-A1", "to": "B", "quantity": 1, "reason": ""}),
            400,
            "reason",
        ),
        (
            json!({"sku": "NO-SUCH-SKU", "from": "SHELF-A1", "to": "B", "quantity": 1, "reason": "x"}),
            409,
            "sku",
        ),
        (
            json!({"sku": sku, "location": "A", "delta": 0, "reason": "x"}),
            400,
            "delta",
        ),
        (
            json!({"sku": sku, "location": "A", "delta": "five", "reason": "x"}),
            400,
            "delta",
        ),
    ] {
        let (got, refused) = send(&server, &admin, "POST", "/api/stock", &body);
        assert_eq!(
            (got, refused["field"].as_str()),
            (status, Some(field)),
            "{body} -> {refused}"
        );
    }
    // Nothing refused moved anything.
    let stock = server.get(&format!("/api/stock/{sku}")).json();
    assert_eq!(stock["total"], 30, "{stock}");

    // The command line moves through the same operation.
    cli_ok(
        server.data_dir(),
        &[
            "stock", "move", sku, "SHELF-A1", "SHELF-B2", "2", "--reason", "restock",
        ],
    );
    let stock = server.get(&format!("/api/stock/{sku}")).json();
    let at = |place: &str| {
        stock["locations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["location"] == place)
            .map(|l| l["level"].clone())
    };
    assert_eq!(
        (at("SHELF-A1"), at("SHELF-B2")),
        (Some(json!(10)), Some(json!(2)))
    );
    let operations = audit_operations(&server, &admin);
    assert!(
        operations.contains(&("stock.move".to_owned(), sku.to_owned())),
        "{operations:?}"
    );
    assert!(
        operations.contains(&("stock.adjust".to_owned(), sku.to_owned())),
        "{operations:?}"
    );
}

#[test]
fn an_order_is_created_and_received_by_hand_never_past_what_was_ordered() {
    let (server, admin) = server();
    let sku = "STABILO-68-BLACK";
    let order = json!({"number": "PO-77", "supplier": "Acme", "location": "DOCK", "lines": [{"sku": sku, "ordered": 10}]});
    let (status, created) = send(&server, &admin, "POST", "/api/orders", &order);
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["lines"][0]["received"], 0);
    let (status, taken) = send(&server, &admin, "POST", "/api/orders", &order);
    assert_eq!(
        (status, taken["field"].as_str()),
        (409, Some("number")),
        "{taken}"
    );
    let (status, refused) = send(
        &server,
        &admin,
        "POST",
        "/api/orders",
        &json!({"number": "PO-78", "lines": [{"sku": sku, "ordered": "ten"}]}),
    );
    assert_eq!(
        (status, refused["field"].as_str()),
        (400, Some("lines[0].ordered")),
        "{refused}"
    );
    let (status, refused) = send(
        &server,
        &admin,
        "POST",
        "/api/orders",
        &json!({"number": "PO-78", "lines": []}),
    );
    assert_eq!(
        (status, refused["field"].as_str()),
        (400, Some("lines")),
        "{refused}"
    );

    let (status, received) = send(
        &server,
        &admin,
        "POST",
        "/api/orders/PO-77/receipts",
        &json!({"sku": sku, "quantity": 6}),
    );
    assert_eq!(status, 200, "{received}");
    assert_eq!(
        (
            received["receipts"][0]["received"].as_u64(),
            received["movements"][0]["location"].as_str()
        ),
        (Some(6), Some("DOCK"))
    );
    let (status, over) = send(
        &server,
        &admin,
        "POST",
        "/api/orders/PO-77/receipts",
        &json!({"sku": sku, "quantity": 5}),
    );
    assert_eq!(
        (status, over["field"].as_str()),
        (409, Some("quantity")),
        "{over}"
    );
    let (status, _) = send(
        &server,
        &admin,
        "POST",
        "/api/orders/PO-404/receipts",
        &json!({"sku": sku, "quantity": 1}),
    );
    assert_eq!(status, 404);
    let (status, other) = send(
        &server,
        &admin,
        "POST",
        "/api/orders/PO-77/receipts",
        &json!({"sku": "VIT-C-1000MG-100CT", "quantity": 1}),
    );
    assert_eq!(
        (status, other["field"].as_str()),
        (409, Some("sku")),
        "{other}"
    );

    // The rest by the command line, to a shelf of its own.
    cli_ok(
        server.data_dir(),
        &[
            "order",
            "receive",
            "PO-77",
            sku,
            "4",
            "--location",
            "SHELF-C3",
        ],
    );
    let orders = server
        .request_as(Some(&admin), "GET", "/api/orders", b"")
        .json();
    assert_eq!(orders["orders"][0]["lines"][0]["received"], 10, "{orders}");
    let stock = server.get(&format!("/api/stock/{sku}")).json();
    assert_eq!(stock["total"], 10, "{stock}");
    let operations = audit_operations(&server, &admin);
    assert!(
        operations.contains(&("order.create".to_owned(), "PO-77".to_owned())),
        "{operations:?}"
    );
    assert!(
        operations.contains(&("order.receive".to_owned(), "PO-77".to_owned())),
        "{operations:?}"
    );
}
