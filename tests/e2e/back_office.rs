//! The console's back office in a real headless Chromium against the real
//! server: the catalog edited, stock adjusted and moved, orders created and
//! received by hand and by scanning, each refusal shown at its field.

use serde_json::json;

use crate::browser::{Browser, ENTER};
use crate::console::sign_in;
use crate::harness::{Server, add_product, cli_ok, create_key, data_dir_with};

/// The message shown at the field `field` of the form `form`, once there is
/// one; the field is marked invalid.
fn field_error(browser: &Browser, form: &str, field: &str) -> String {
    let selector =
        format!("#{form} label:has([data-field=\"{field}\"][aria-invalid=true]) .field-error");
    browser.wait_for_text(&selector, " ")
}

fn no_field_errors(browser: &Browser, form: &str) -> bool {
    browser.run(
        "return document.querySelectorAll(`#${arguments[0]} .field-error`).length === 0;",
        json!([form]),
    ) == json!(true)
}

/// Types `text` into the field `field` of `form`, replacing what it held.
fn set(browser: &Browser, form: &str, field: &str, text: &str) {
    let selector = format!("#{form} [data-field=\"{field}\"]");
    browser.clear(&selector);
    browser.type_into(&selector, text);
}

#[test]
fn an_admin_creates_and_edits_products_and_barcode_records_and_refusals_show_at_their_field() {
    let data = data_dir_with(&[]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    browser.goto_hash("catalog");
    browser.wait_for_text("#catalog-table", "STABILO");

    browser.click("#catalog-new");
    set(&browser, "product-form", "sku", "TEA-100");
    set(&browser, "product-form", "name", "Green tea 100 g");
    set(&browser, "product-form", "category", "Drinks");
    set(&browser, "product-form", "unitPrice", "3,20");
    set(&browser, "product-form", "currency", "EUR");
    browser.click("#product-form button[type=submit]");
    // The store's rule, as the server words it, beside the price.
    let said = field_error(&browser, "product-form", "unitPrice");
    assert!(said.contains("non-negative decimal"), "{said}");
    set(&browser, "product-form", "unitPrice", "3.20");
    set(&browser, "product-form", "currency", "eur");
    browser.click("#product-form button[type=submit]");
    let said = field_error(&browser, "product-form", "currency");
    assert!(said.contains("three capital letters"), "{said}");
    assert!(!browser.visible("#product-form [data-field=unitPrice][aria-invalid]"));
    set(&browser, "product-form", "currency", "EUR");
    browser.click("#product-form button[type=submit]");
    browser.wait_for_text("#notice", "Saved TEA-100");
    let row = browser.wait_for_text("tr[data-sku=TEA-100]", "Green tea 100 g");
    assert!(row.contains("3.20 EUR"), "{row}");

    // A barcode record for it, which lookups find at once.
    browser.click("tr[data-sku=TEA-100] [data-action=add-barcode]");
    set(&browser, "barcode-form", "barcode", "TEA-100-EA");
    set(&browser, "barcode-form", "barcodeType", "INTERNAL");
    browser.click("#barcode-form button[type=submit]");
    browser.wait_for_text("tr[data-sku=TEA-100]", "TEA-100-EA");
    assert_eq!(server.get("/api/barcode/lookup/TEA-100-EA").status, 200);

    // A second record with the same product, type and unit: the clash is named at the product.
    browser.click("tr[data-sku=TEA-100] [data-action=add-barcode]");
    set(&browser, "barcode-form", "barcode", "TEA-100-OTHER");
    set(&browser, "barcode-form", "barcodeType", "INTERNAL");
    browser.click("#barcode-form button[type=submit]");
    let said = field_error(&browser, "barcode-form", "productSku");
    assert!(said.contains("already belong to barcode record"), "{said}");
    browser.click("#barcode-form button.quiet");

    // Edited: a case of twelve.
    browser.click("tr[data-sku=TEA-100] [data-action=edit-barcode]");
    set(&browser, "barcode-form", "uomCode", "CA");
    set(&browser, "barcode-form", "quantity", "0");
    browser.click("#barcode-form button[type=submit]");
    let said = field_error(&browser, "barcode-form", "quantity");
    assert!(
        said.contains("quantity must be a positive integer"),
        "{said}"
    );
    set(&browser, "barcode-form", "quantity", "12");
    browser.click("#barcode-form button[type=submit]");
    browser.wait_for_text("tr[data-sku=TEA-100]", "12× CA");
    assert!(no_field_errors(&browser, "catalog-editor"));
    let lookup = server.get("/api/barcode/lookup/TEA-100-EA?uomCode=CA");
    assert_eq!(
        (lookup.status, lookup.json()["barcode"]["quantity"].as_u64()),
        (200, Some(12))
    );

    // Deactivated, then reactivated.
    browser.click("tr[data-sku=TEA-100] [data-action=toggle-active]");
    browser.wait_for_text("tr[data-sku=TEA-100]", "(inactive)");
    assert_eq!(server.get("/api/barcode/lookup/TEA-100-EA").status, 404);
    browser.click("tr[data-sku=TEA-100] [data-action=toggle-active]");
    browser.wait_until(
        "the record is active again",
        "return !document.querySelector('tr[data-sku=TEA-100]').innerText.includes('(inactive)');",
    );
    assert_eq!(server.get("/api/barcode/lookup/TEA-100-EA").status, 200);
}

#[test]
fn links_are_listed_and_removed_from_the_catalog_page() {
    let data = data_dir_with(&[]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let link = json!({"barcode": "BOX-7731", "part": "STABILO-68-BLACK"});
    let linked = server.request_as(
        Some(&format!("Bearer {admin}")),
        "POST",
        "/api/barcode/link/",
        link.to_string().as_bytes(),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(server.get("/api/barcode/lookup/BOX-7731").status, 200);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    browser.goto_hash("catalog");
    browser.wait_for_text("#links-table", "BOX-7731");
    // Removing asks once more before it acts.
    browser.click("#links-table tr[data-sku=STABILO-68-BLACK] button");
    browser.wait_for_text(
        "#links-table tr[data-sku=STABILO-68-BLACK] button",
        "Remove the link",
    );
    browser.click("#links-table tr[data-sku=STABILO-68-BLACK] button");
    browser.wait_for_text("#links-table", "No linked barcodes");
    assert_eq!(server.get("/api/barcode/lookup/BOX-7731").status, 404);

    // A pos key sees neither the editors nor the links.
    browser.click("#signout");
    browser.type_into("#signin-key", server.key());
    browser.click("#signin-form button[type=submit]");
    browser.wait_for_text("#who", "(pos)");
    browser.goto_hash("catalog");
    browser.wait_for_text("#catalog-table", "STABILO");
    assert!(!browser.visible("#catalog-new") && !browser.visible("#links-table"));
    assert!(!browser.text("#catalog-table").contains("Edit"));
}

#[test]
fn an_admin_adjusts_and_moves_stock_with_refusals_at_their_field() {
    let data = data_dir_with(&[]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    browser.goto_hash("stock");
    set(&browser, "adjust-form", "sku", "STABILO-68-BLACK");
    set(&browser, "adjust-form", "location", "SHELF-A1");
    set(&browser, "adjust-form", "delta", "0");
    set(&browser, "adjust-form", "reason", "counted");
    browser.click("#adjust-form button[type=submit]");
    let said = field_error(&browser, "adjust-form", "delta");
    assert!(said.contains("a stock change is 1 to"), "{said}");
    set(&browser, "adjust-form", "delta", "30");
    set(&browser, "adjust-form", "reason", "counted");
    browser.click("#adjust-form button[type=submit]");
    browser.wait_for_text("#notice", "STABILO-68-BLACK at SHELF-A1 is now 30");
    browser.wait_for_text("#stock-levels", "SHELF-A1");

    set(&browser, "move-form", "sku", "STABILO-68-BLACK");
    set(&browser, "move-form", "from", "SHELF-A1");
    set(&browser, "move-form", "to", "SHELF-A1");
    set(&browser, "move-form", "quantity", "12");
    set(&browser, "move-form", "reason", "put away");
    browser.click("#move-form button[type=submit]");
    let said = field_error(&browser, "move-form", "to");
    assert!(said.contains("from one location to another"), "{said}");
    set(&browser, "move-form", "to", "SHELF-B2");
    browser.click("#move-form button[type=submit]");
    browser.wait_for_text("#notice", "SHELF-B2 is now 12");
    let levels = browser.wait_for_text("#stock-levels", "SHELF-B2");
    assert!(levels.contains("18"), "{levels}");
    let stock = server.get("/api/stock/STABILO-68-BLACK").json();
    assert_eq!(stock["total"], 30, "{stock}");
    let movements = browser.text("#stock-movements");
    assert!(
        movements.contains("moved to SHELF-B2: put away"),
        "{movements}"
    );

    // The levels sort by any column, both ways, and filter by what a row says.
    let shown = |browser: &Browser| -> Vec<String> {
        browser
            .run(
                "return [...document.querySelectorAll('#stock-levels tbody tr')].filter(r => !r.hidden).map(r => r.cells[1].innerText + '=' + r.cells[2].innerText);",
                json!([]),
            )
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row.as_str().unwrap().to_owned())
            .collect()
    };
    browser.click("#stock-levels th:nth-child(3) button");
    assert_eq!(shown(&browser), ["SHELF-B2=12", "SHELF-A1=18"]);
    assert_eq!(
        browser.run("return document.querySelector('#stock-levels th:nth-child(3)').getAttribute('aria-sort');", json!([])),
        json!("ascending")
    );
    browser.click("#stock-levels th:nth-child(3) button");
    assert_eq!(shown(&browser), ["SHELF-A1=18", "SHELF-B2=12"]);
    browser.type_into("input[data-filter=stock-levels]", "b2");
    assert_eq!(shown(&browser), ["SHELF-B2=12"]);
    // A reload of the rows keeps the filter and the order.
    browser.click("#stock-form button[type=submit]");
    browser.wait_for_text("#stock-levels", "SHELF-B2");
    assert_eq!(shown(&browser), ["SHELF-B2=12"]);
    browser.clear("input[data-filter=stock-levels]");
    browser.type_into("input[data-filter=stock-levels]", " ");
    assert_eq!(shown(&browser), ["SHELF-A1=18", "SHELF-B2=12"]);
}

/// A label as the console's fields take it: each control character as its
/// name in angle brackets, which the console turns back.
fn typed(label: &str) -> String {
    label
        .chars()
        .map(|c| match c {
            '\u{1d}' => "<GS>".to_owned(),
            '\u{1e}' => "<RS>".to_owned(),
            '\u{04}' => "<EOT>".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[test]
fn an_admin_creates_an_order_and_receives_it_by_hand_and_by_scanning_a_supplier_label() {
    let data = data_dir_with(&[("10-digikey.wasm", "supplier_digikey")]);
    cli_ok(
        data.path(),
        &["plugin", "grant", "digikey", "catalog-read", "po-receive"],
    );
    add_product(
        data.path(),
        "OPAMP-358",
        "LM358 dual op-amp",
        "0.40",
        &["DigiKey:296-LM358BIDDFRCT-ND"],
    );
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start(data);
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    browser.goto_hash("orders");
    browser.wait_for_text("#orders-list", "No purchase orders");

    set(&browser, "order-form", "number", "PO-1");
    set(&browser, "order-form", "supplier", "DigiKey");
    set(&browser, "order-form", "supplierReference", "72991337");
    set(&browser, "order-form", "location", "DOCK");
    set(&browser, "order-form", "lines[0].sku", "OPAMP-358");
    set(&browser, "order-form", "lines[0].ordered", "0");
    browser.click("#order-form button[type=submit]");
    let said = browser.wait_for_text("#order-form .field-error", " ");
    assert!(said.contains("the ordered quantity must be 1 to"), "{said}");
    set(&browser, "order-form", "lines[0].ordered", "25");
    browser.click("#order-form button[type=submit]");
    browser.wait_for_text("#notice", "Created purchase order PO-1");
    browser.wait_for_text("article[data-order=PO-1]", "0 of 25 received");

    // Five by hand, to a shelf of their own.
    set(&browser, "orders-list .receive-hand", "quantity", "5");
    browser.type_into(
        "article[data-order=PO-1] .receive-hand [data-field=location]",
        "SHELF-C3",
    );
    browser.click("article[data-order=PO-1] .receive-hand button");
    browser.wait_for_text("article[data-order=PO-1]", "5 of 25 received");
    // More than is still to come: refused at the quantity, nothing booked.
    set(&browser, "orders-list .receive-hand", "quantity", "30");
    browser.click("article[data-order=PO-1] .receive-hand button");
    let said = browser.wait_for_text(
        "article[data-order=PO-1] .receive-hand .field-error",
        "would make",
    );
    assert!(said.contains("nothing was booked"), "{said}");

    // DigiKey's label for ten, scanned: the plugin receives it against the line.
    let label = crate::suppliers::label("DIGIKEY_BARCODE");
    browser.type_into(
        "article[data-order=PO-1] .receive-scan [data-field=barcode]",
        &typed(&label),
    );
    browser.type_into(
        "article[data-order=PO-1] .receive-scan [data-field=barcode]",
        ENTER,
    );
    browser.wait_for_text("#notice", "Received purchase order line item");
    browser.wait_for_text("article[data-order=PO-1]", "15 of 25 received");
    // The same label again: InvenTree's refusal, at the field.
    browser.type_into(
        "article[data-order=PO-1] .receive-scan [data-field=barcode]",
        &typed(&label),
    );
    browser.type_into(
        "article[data-order=PO-1] .receive-scan [data-field=barcode]",
        ENTER,
    );
    browser.wait_for_text(
        "article[data-order=PO-1] .receive-scan .field-error",
        "already been received",
    );
    let order = server
        .request_as(Some(&format!("Bearer {admin}")), "GET", "/api/orders", b"")
        .json();
    assert_eq!(order["orders"][0]["lines"][0]["received"], 15, "{order}");
    let stock = server.get("/api/stock/OPAMP-358").json();
    assert_eq!(stock["total"], 15, "{stock}");
}

/// The width a PNG says it is, from its header.
fn png_width(png: &[u8]) -> u32 {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    u32::from_be_bytes(png[16..20].try_into().unwrap())
}

/// The pages docs/console.md shows, at a desk's width and a phone's, as a
/// clerk and an operator see them. Set `CONSOLE_SCREENSHOTS=docs/console`
/// to write them there (else they go to a scratch folder).
#[test]
fn the_pages_are_captured_at_desk_and_phone_width() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-gs1.wasm", "gs1")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let bearer = format!("Bearer {admin}");
    for (path, body) in [
        (
            "/api/stock",
            json!({"sku": "STABILO-68-BLACK", "location": "SHELF-A1", "delta": 120, "reason": "counted"}),
        ),
        (
            "/api/stock",
            json!({"sku": "STABILO-68-BLACK", "from": "SHELF-A1", "to": "TILL-1", "quantity": 20, "reason": "restock the till"}),
        ),
        (
            "/api/orders",
            json!({"number": "PO-1001", "supplier": "Stabilo", "location": "RECEIVING", "lines": [{"sku": "STABILO-68-BLACK", "ordered": 200}, {"sku": "VIT-C-1000MG-100CT", "ordered": 48}]}),
        ),
        (
            "/api/orders/PO-1001/receipts",
            json!({"sku": "STABILO-68-BLACK", "quantity": 50}),
        ),
    ] {
        let answer = server.request_as(Some(&bearer), "POST", path, body.to_string().as_bytes());
        assert!(answer.status < 300, "{path}: {}", answer.body);
    }
    let scratch = crate::harness::TempDir::new();
    let folder = std::env::var_os("CONSOLE_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_owned());
    std::fs::create_dir_all(&folder).unwrap();
    let browser = Browser::start();
    sign_in(&browser, &server, &admin);
    for (width, height, name) in [(1280, 900, "desk"), (390, 844, "phone")] {
        browser.resize(width, height);
        crate::console::scan(&browser, crate::console::GS1_CARTON);
        for page in ["scan", "catalog", "stock", "orders", "plugins"] {
            browser.goto_hash(page);
            if page == "catalog" {
                browser.wait_for_text("#catalog-table", "STABILO");
            }
            let file = folder.join(format!("{page}-{name}.png"));
            browser.screenshot(&file);
            let inner = browser.run("return window.innerWidth;", json!([]));
            let png = std::fs::read(&file).unwrap();
            assert_eq!(
                u64::from(png_width(&png)),
                inner.as_u64().unwrap(),
                "{}",
                file.display()
            );
        }
    }
}
