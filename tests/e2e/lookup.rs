//! `GET /api/barcode/lookup/{code}`: the contract POS clients already speak,
//! against the demo catalog that `serve --demo` seeds.

use serde_json::{Value, json};

use crate::harness::{Server, cli_ok, create_key, data_dir_with};

const DRAGONVALE_EA: &str = "2f1c8a3e-6b1d-4c55-9a57-0d6f3b2a9e01";

fn demo_server() -> Server {
    Server::start_with(data_dir_with(&[("10-gtin.wasm", "gtin")]), &["--demo"])
}

fn run_cli(server: &Server, args: &[&str]) -> String {
    String::from_utf8_lossy(&cli_ok(server.data_dir(), args).stdout).into_owned()
}

fn import(server: &Server, name: &str, content: &str) {
    let file = server.data_dir().join(name);
    std::fs::write(&file, content).unwrap();
    run_cli(server, &["catalog", "import", file.to_str().unwrap()]);
}

fn dragonvale() -> Value {
    json!({
        "sku": "DV-KAT-SENIOR-2KG",
        "name": "Dragonvale Cat Senior 2kg",
        "category": "Pet food",
        "unitPrice": 12.99,
        "currency": "EUR",
    })
}

#[test]
fn a_known_code_resolves_to_its_record_and_product() {
    let server = demo_server();
    let response = server.get("/api/barcode/lookup/5410317126589");
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let expected = json!({
        "barcode": {
            "id": DRAGONVALE_EA,
            "barcode": "5410317126589",
            "barcodeType": "EAN",
            "format": "EAN-13",
            "productSku": "DV-KAT-SENIOR-2KG",
            "uomCode": "EA",
            "quantity": 1,
            "isDefault": true,
            "isActive": true,
        },
        "product": dragonvale(),
    });
    assert_eq!(response.json(), expected);
    // The price is written with its exact digits.
    assert!(
        response.body.contains(r#""unitPrice":12.99"#),
        "{}",
        response.body
    );
}

#[test]
fn the_shillinq_path_serves_the_same_answer() {
    let server = demo_server();
    let alias = server.get("/index.php/apps/shillinq/api/barcode/lookup/15410317126586");
    let native = server.get("/api/barcode/lookup/15410317126586");
    assert_eq!(alias.status, 200, "{}", alias.body);
    assert_eq!(alias.json(), native.json());
    assert_eq!(alias.json()["barcode"]["uomCode"], "CA");
    assert_eq!(alias.json()["barcode"]["quantity"], 4);
}

#[test]
fn the_code_is_url_decoded_and_trimmed() {
    let server = demo_server();
    for path in [
        "/api/barcode/lookup/%205410317126589%20",
        "/api/barcode/lookup/%095410317126589",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
    }
    import(
        &server,
        "odd.csv",
        "barcode,barcodeType,productSku,uomCode,quantity\nAB/12-3.4,INTERNAL,DV-KAT-SENIOR-2KG,BX,6\n",
    );
    for path in [
        "/api/barcode/lookup/AB%2F12-3.4",
        "/api/barcode/lookup/AB/12-3.4",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        assert_eq!(response.json()["barcode"]["barcode"], "AB/12-3.4");
    }
}

#[test]
fn uom_code_picks_the_record_for_that_unit() {
    let server = demo_server();
    let response = server.get("/api/barcode/lookup/15410317126586?uomCode=CA");
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["barcode"]["uomCode"], "CA");
    let response = server.get("/api/barcode/lookup/15410317126586?uomCode=EA");
    assert_eq!(response.status, 404, "{}", response.body);
    assert_eq!(response.json(), json!({"error": "Barcode not found"}));
    // An empty uomCode is no filter at all, as in the reference API.
    assert_eq!(
        server
            .get("/api/barcode/lookup/15410317126586?uomCode=")
            .status,
        200
    );
}

#[test]
fn without_uom_code_the_default_record_wins_then_the_smallest_pack() {
    let server = demo_server();
    import(
        &server,
        "shared.csv",
        "barcode,barcodeType,productSku,uomCode,quantity,isDefault\n\
         SHARED-1,INTERNAL,P1,PL,100,false\n\
         SHARED-1,INTERNAL,P1,CA,12,true\n\
         SHARED-1,INTERNAL,P1,EA,1,false\n\
         SHARED-2,INTERNAL,P2,CA,12,false\n\
         SHARED-2,INTERNAL,P2,EA,1,false\n",
    );
    assert_eq!(
        server.get("/api/barcode/lookup/SHARED-1").json()["barcode"]["uomCode"],
        "CA"
    );
    assert_eq!(
        server.get("/api/barcode/lookup/SHARED-1?uomCode=PL").json()["barcode"]["uomCode"],
        "PL"
    );
    assert_eq!(
        server.get("/api/barcode/lookup/SHARED-2").json()["barcode"]["uomCode"],
        "EA"
    );
}

#[test]
fn a_record_without_a_product_comes_back_with_product_null() {
    let server = demo_server();
    import(
        &server,
        "orphan.json",
        r#"{"barcodes": [{"barcode": "ORPHAN-1", "barcodeType": "INTERNAL", "productSku": "NO-SUCH-SKU", "uomCode": "EA", "quantity": 1}]}"#,
    );
    let response = server.get("/api/barcode/lookup/ORPHAN-1");
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["product"], Value::Null);
    assert_eq!(response.json()["barcode"]["productSku"], "NO-SUCH-SKU");
}

#[test]
fn unknown_empty_and_inactive_codes_are_not_found_until_reactivated() {
    let server = demo_server();
    for path in [
        "/api/barcode/lookup/9999999999999",
        "/api/barcode/lookup/%20%20",
        "/api/barcode/lookup/",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(response.json(), json!({"error": "Barcode not found"}));
        assert_eq!(response.header("cache-control"), Some("no-store"));
    }
    run_cli(&server, &["catalog", "deactivate", DRAGONVALE_EA]);
    assert_eq!(server.get("/api/barcode/lookup/5410317126589").status, 404);
    run_cli(&server, &["catalog", "reactivate", DRAGONVALE_EA]);
    assert_eq!(server.get("/api/barcode/lookup/5410317126589").status, 200);
}

#[test]
fn missing_malformed_and_wrong_keys_are_unauthorized() {
    let server = demo_server();
    let path = "/api/barcode/lookup/5410317126589";
    for authorization in [
        None,
        Some("Bearer"),
        Some("Basic abc"),
        Some("Bearer bcd_wrong"),
        Some("bearer  "),
    ] {
        let response = server.request_as(authorization, "GET", path, b"");
        assert_eq!(response.status, 401, "{authorization:?}");
        assert_eq!(response.json(), json!({"error": "Unauthorized"}));
        assert_eq!(response.header("cache-control"), Some("no-store"));
    }
    let key = create_key(server.data_dir(), "till-7", "pos");
    let spaced = format!("bEaReR   {key}  ");
    assert_eq!(
        server.request_as(Some(&spaced), "GET", path, b"").status,
        200
    );
}

#[test]
fn with_no_key_provisioned_every_request_is_refused() {
    let server = Server::start_without_key(data_dir_with(&[("10-gtin.wasm", "gtin")]), &["--demo"]);
    server.wait_for_log("no API keys exist");
    for token in [
        "",
        "bcd_",
        "bcd_0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let authorization = format!("Bearer {token}");
        let lookup = server.request_as(
            Some(&authorization),
            "GET",
            "/api/barcode/lookup/5410317126589",
            b"",
        );
        assert_eq!(lookup.status, 401);
        let scan = server.request_as(
            Some(&authorization),
            "POST",
            "/api/barcode/",
            br#"{"barcode":"4006381333931"}"#,
        );
        assert_eq!(scan.status, 401);
    }
}

#[test]
fn a_revoked_key_is_refused_from_the_next_request_on() {
    let server = demo_server();
    let key = create_key(server.data_dir(), "till-9", "pos");
    let authorization = format!("Bearer {key}");
    let path = "/api/barcode/lookup/5410317126589";
    assert_eq!(
        server
            .request_as(Some(&authorization), "GET", path, b"")
            .status,
        200
    );
    run_cli(&server, &["key", "revoke", "till-9"]);
    assert_eq!(
        server
            .request_as(Some(&authorization), "GET", path, b"")
            .status,
        401
    );
    // Other keys are untouched.
    assert_eq!(server.get(path).status, 200);
}

#[test]
fn a_scan_carries_the_catalog_records_for_its_lookup_code() {
    let server = demo_server();
    // gtin answers with GTIN-14; the catalog holds the EAN-13 as printed.
    let response = server.scan(&json!({"barcode_data": "4006381333931"}));
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body["result"]["lookup_code"], "04006381333931");
    assert_eq!(body["barcode"]["barcode"], "4006381333931");
    assert_eq!(body["product"]["sku"], "STABILO-68-BLACK");
    // A decode with no catalog record answers with nulls.
    let response = server.scan(&json!({"barcode_data": "96385074"}));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        (&response.json()["barcode"], &response.json()["product"]),
        (&Value::Null, &Value::Null)
    );
    // The scan endpoint needs a key too.
    let response = server.request_as(
        None,
        "POST",
        "/api/barcode/",
        br#"{"barcode":"4006381333931"}"#,
    );
    assert_eq!(response.status, 401);
}

#[test]
fn a_store_failure_is_a_fixed_500_without_internal_detail() {
    let server = demo_server();
    assert_eq!(server.get("/api/barcode/lookup/5410317126589").status, 200);
    // Wreck the store under the running server: the file, or a record in
    // the database (and the catalog's generation, so no cache answers).
    match crate::harness::store_url(server.data_dir()) {
        Some(url) => crate::harness::psql(
            &url,
            "UPDATE barcodes SET record = 'not a record'; \
             UPDATE counters SET value = value + 1 WHERE name = 'catalog'",
        ),
        None => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(server.data_dir().join("catalog.redb"))
                .unwrap();
            file.set_len(0).unwrap();
        }
    }
    // Past the 2 ms for which requests share one read snapshot.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let response = server.get("/api/barcode/lookup/5410317126589");
    assert_eq!(response.status, 500, "{}", response.body);
    assert_eq!(response.json(), json!({"error": "Internal server error"}));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    server.wait_for_log("internal error");
}

/// `GET /api/catalog/products` with the server's `pos` key: the JSON answer.
fn products(server: &Server, query: &str) -> Value {
    let answer = server.get(&format!("/api/catalog/products{query}"));
    assert_eq!(answer.status, 200, "{query}: {}", answer.body);
    answer.json()
}

fn skus(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|found| found["product"]["sku"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_catalog_is_browsed_page_by_page_and_searched_ignoring_case() {
    let server = demo_server();
    let all = products(&server, "");
    assert_eq!(
        skus(&all),
        [
            "DV-KAT-SENIOR-2KG",
            "STABILO-68-BLACK",
            "VIT-C-1000MG-100CT"
        ]
    );
    assert_eq!(all["next"], Value::Null);
    assert_eq!(all["results"][0]["product"], dragonvale());
    let codes: Vec<_> = all["results"][0]["barcodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["barcode"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 3, "every record of the product: {codes:?}");
    assert!(codes.contains(&"15410317126586"), "{codes:?}");

    let mut seen = Vec::new();
    let mut next = "?limit=2".to_owned();
    loop {
        let page = products(&server, &next);
        seen.extend(skus(&page));
        match page["next"].as_str() {
            Some(link) => next = link.trim_start_matches("/api/catalog/products").to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, skus(&all), "pages give every product once, in order");

    assert_eq!(skus(&products(&server, "?q=stabilo")), ["STABILO-68-BLACK"]);
    assert_eq!(
        skus(&products(&server, "?q=Pet+FOOD")),
        ["DV-KAT-SENIOR-2KG"]
    );
    assert_eq!(
        skus(&products(&server, "?q=no%20such%20thing")),
        Vec::<String>::new()
    );

    let long = format!("?q={}", "x".repeat(201));
    for (query, status) in [
        (long.as_str(), 400),
        ("?limit=0", 400),
        ("?limit=201", 400),
        ("?sku=A", 400),
    ] {
        assert_eq!(
            server.get(&format!("/api/catalog/products{query}")).status,
            status,
            "{query}"
        );
    }
    let anonymous = server.request_as(None, "GET", "/api/catalog/products", b"");
    assert_eq!(anonymous.status, 401);
}

#[test]
fn a_search_reads_a_bounded_number_of_products_per_request() {
    let server = demo_server();
    let mut csv = String::from("sku,name,category,unitPrice,currency\n");
    for n in 0..25_000 {
        csv.push_str(&format!("BULK-{n:05},Bulk item {n},Bulk,1.00,EUR\n"));
    }
    import(&server, "bulk.csv", &csv);
    // Nothing matches: the first request stops after 20,000 products and
    // says where to go on; the next reads the rest and ends.
    let first = products(&server, "?q=nothing-matches-this");
    assert_eq!(skus(&first), Vec::<String>::new());
    let next = first["next"].as_str().expect("a cursor after the bound");
    let rest = products(&server, next.trim_start_matches("/api/catalog/products"));
    assert_eq!(skus(&rest), Vec::<String>::new());
    assert_eq!(rest["next"], Value::Null);
    // A match past the bound is still found, on the page after.
    let first = products(&server, "?q=bulk+item+24999");
    let next = first["next"].as_str().expect("a cursor after the bound");
    let rest = products(&server, next.trim_start_matches("/api/catalog/products"));
    assert_eq!(skus(&rest), ["BULK-24999"]);
}

/// Lookups and scans answer from a cache of recent lookups; a change made
/// by another process (the CLI, on the same store file) must be answered by
/// the very next request, whatever the server had cached.
#[test]
fn a_catalog_change_by_another_process_is_answered_at_once_despite_any_cache() {
    const STABILO_EA: &str = "2f1c8a3e-6b1d-4c55-9a57-0d6f3b2a9e06";
    let server = demo_server();
    let lookup = |code: &str| server.get(&format!("/api/barcode/lookup/{code}"));
    let scanned = || {
        server
            .scan(&json!({"barcode_data": "4006381333931"}))
            .json()
    };
    // A popular code, asked many times, and a code the catalog lacks.
    for _ in 0..20 {
        assert_eq!(lookup("4006381333931").json()["barcode"]["quantity"], 1);
        assert_eq!(scanned()["barcode"]["quantity"], 1);
        assert_eq!(lookup("96385074").status, 404);
    }
    import(
        &server,
        "changed.csv",
        "barcode,barcodeType,productSku,uomCode,quantity,isDefault\n\
         4006381333931,EAN,STABILO-68-BLACK,EA,4,true\n\
         96385074,EAN-8,STABILO-68-BLACK,BX,12,false\n",
    );
    assert_eq!(lookup("4006381333931").json()["barcode"]["quantity"], 4);
    assert_eq!(scanned()["barcode"]["quantity"], 4);
    assert_eq!(lookup("96385074").json()["barcode"]["quantity"], 12);
    import(
        &server,
        "renamed.csv",
        "sku,name,category,unitPrice,currency\n\
         STABILO-68-BLACK,STABILO 68 black,Stationery,1.95,EUR\n",
    );
    assert_eq!(
        lookup("4006381333931").json()["product"]["name"],
        "STABILO 68 black"
    );
    assert_eq!(scanned()["product"]["name"], "STABILO 68 black");
    run_cli(&server, &["catalog", "deactivate", STABILO_EA]);
    assert_eq!(lookup("4006381333931").status, 404);
    assert_eq!(scanned()["barcode"], Value::Null);
}
