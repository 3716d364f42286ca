//! Plugins that act: granted store calls, stock movements booked with their
//! scan, receipts against purchase orders, and the scan history.

use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Server, cli_ok, create_key, data_dir_with};

/// A server with `plugins` installed, product SCREW-M4 in the catalog with
/// 100 on hand at LINE-1, and `grants` given as (plugin, capability).
fn stocked_server(plugins: &[(&str, &str)], grants: &[(&str, &str)], args: &[&str]) -> Server {
    let data = data_dir_with(plugins);
    let dir = data.path();
    crate::harness::add_screw(dir, &["DigiKey:SCR-M4-ND"]);
    cli_ok(
        dir,
        &[
            "stock", "adjust", "SCREW-M4", "LINE-1", "100", "--reason", "counted",
        ],
    );
    for (plugin, capability) in grants {
        cli_ok(dir, &["plugin", "grant", plugin, capability]);
    }
    Server::start_with(data, args)
}

fn level(server: &Server) -> i64 {
    let answer = server.get("/api/stock/SCREW-M4");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["total"].as_i64().unwrap()
}

/// Creates an admin key for `server`.
fn admin(server: &Server) -> String {
    create_key(server.data_dir(), "admin", "admin")
}

/// `GET /api/barcode/history` with the `admin` key.
fn history(server: &Server, admin: &str, query: &str) -> Value {
    let answer = server.request_as(
        Some(&format!("Bearer {admin}")),
        "GET",
        &format!("/api/barcode/history{query}"),
        b"",
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// The newest history entry, once it is the scan of `data`: a scan that
/// books nothing is written within milliseconds of its answer.
fn newest_entry(server: &Server, admin: &str, data: &str) -> Value {
    for _ in 0..100 {
        let newest = history(server, admin, "?limit=1")["results"][0].clone();
        if newest["barcode_data"] == data {
            return newest;
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!("the scan of {data:?} never reached the history");
}

fn scan(server: &Server, data: &str) -> Value {
    let answer = server.scan(&json!({ "barcode_data": data }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn a_granted_plugin_moves_stock_and_the_history_shows_it() {
    let server = stocked_server(
        &[("10-kanban.wasm", "kanban")],
        &[("kanban", "stock-write")],
        &[],
    );
    let answer = scan(&server, "KANBAN:SCREW-M4");
    let movements = answer["actions"]["movements"].as_array().unwrap();
    assert_eq!(movements.len(), 1, "{answer}");
    assert_eq!(movements[0]["delta"], -10);
    assert_eq!(movements[0]["level"], 90);
    assert_eq!(movements[0]["plugin"], "kanban");
    assert_eq!(movements[0]["key"], "e2e");
    assert_eq!(answer["actions"]["refused"], json!([]));
    assert_eq!(answer["result"]["fields"]["stock"], "taken");
    assert_eq!(level(&server), 90);

    let admin = admin(&server);
    let newest = &history(&server, &admin, "?limit=1")["results"][0];
    assert_eq!(newest["plugin"], "kanban");
    assert_eq!(newest["key"], "e2e");
    assert_eq!(newest["result"], "decoded");
    assert_eq!(newest["lookup_code"], "SCREW-M4");
    assert_eq!(newest["barcode_data"], "KANBAN:SCREW-M4");
    assert!(newest["duration_us"].as_u64().unwrap() > 0);
    assert_eq!(newest["actions"]["movements"][0]["level"], 90);
    assert_eq!(newest["actions"]["movements"][0]["scan"], newest["id"]);

    let log = cli_ok(
        server.data_dir(),
        &["stock", "movements", "--sku", "SCREW-M4"],
    );
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(log.contains("kanban (e2e)"), "{log}");
    assert!(log.contains("kanban card scanned"), "{log}");
}

#[test]
fn without_the_grant_nothing_moves_and_the_answer_says_why() {
    let server = stocked_server(&[("10-kanban.wasm", "kanban")], &[], &[]);
    let answer = scan(&server, "KANBAN:SCREW-M4");
    assert_eq!(answer["actions"]["movements"], json!([]));
    let refused = &answer["actions"]["refused"][0];
    assert_eq!(refused["call"], "stock.adjust");
    assert_eq!(refused["error"], "not-granted");
    let reason = refused["reason"].as_str().unwrap();
    assert!(
        reason.contains("barcoded plugin grant kanban stock-write"),
        "{reason}"
    );
    assert_eq!(level(&server), 100);
    server.wait_for_log("[kanban] stock.adjust not-granted");
    let admin = admin(&server);
    let newest = newest_entry(&server, &admin, "KANBAN:SCREW-M4");
    assert_eq!(newest["actions"]["refused"][0]["error"], "not-granted");

    let list = cli_ok(server.data_dir(), &["plugin", "list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("- (asks stock-write)"), "{list}");

    // Granted over the admin API, it takes effect on the running server.
    let granted = server.request_as(
        Some(&format!("Bearer {admin}")),
        "PUT",
        "/api/admin/plugins/kanban/grants",
        br#"["stock-write"]"#,
    );
    assert_eq!(granted.status, 200, "{}", granted.body);
    server.wait_for_log("plugins reloaded");
    let answer = scan(&server, "KANBAN:SCREW-M4");
    assert_eq!(answer["actions"]["movements"][0]["level"], 90, "{answer}");
}

#[test]
fn a_plugin_that_fails_or_passes_after_asking_books_nothing() {
    let server = stocked_server(
        &[("10-hostile-stock.wasm", "hostile_stock")],
        &[("hostile-stock", "stock-write")],
        &[],
    );
    for data in ["STEAL-TRAP:SCREW-M4", "STEAL-PASS:SCREW-M4"] {
        let answer = server.scan(&json!({ "barcode_data": data }));
        assert_eq!(answer.status, 404, "{}", answer.body);
    }
    assert_eq!(level(&server), 100);
    let movements = cli_ok(server.data_dir(), &["stock", "movements"]);
    let movements = String::from_utf8_lossy(&movements.stdout);
    assert!(!movements.contains("stolen"), "{movements}");
}

#[test]
fn concurrent_scans_that_each_take_stock_leave_the_right_total() {
    const THREADS: usize = 6;
    const SCANS: usize = 10;
    let server = stocked_server(
        &[("10-kanban.wasm", "kanban")],
        &[("kanban", "stock-write")],
        &[],
    );
    cli_ok(
        server.data_dir(),
        &["plugin", "config", "kanban", "quantity=1"],
    );
    cli_ok(
        server.data_dir(),
        &[
            "stock", "adjust", "SCREW-M4", "LINE-1", "900", "--reason", "delivery",
        ],
    );
    server.wait_for_log("plugins reloaded");
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..SCANS {
                    let answer = scan(&server, "KANBAN:SCREW-M4");
                    assert_eq!(answer["actions"]["movements"][0]["delta"], -1, "{answer}");
                }
            });
        }
    });
    assert_eq!(level(&server), 1000 - (THREADS * SCANS) as i64);
    let admin = admin(&server);
    let levels: Vec<i64> = history(&server, &admin, "?limit=500&plugin=kanban")["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["actions"]["movements"][0]["level"].as_i64().unwrap())
        .collect();
    let mut sorted = levels.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        THREADS * SCANS,
        "every scan saw its own level"
    );
}

#[test]
fn a_receipt_over_the_ordered_quantity_is_refused() {
    let server = stocked_server(
        &[("10-ecia.wasm", "ecia")],
        &[("ecia", "catalog-read"), ("ecia", "po-receive")],
        &[],
    );
    let dir = server.data_dir();
    cli_ok(dir, &["plugin", "config", "ecia", "receive=on"]);
    cli_ok(
        dir,
        &[
            "order",
            "create",
            "PO-1001",
            "--location",
            "DOCK",
            "--line",
            "SCREW-M4=25",
        ],
    );
    server.wait_for_log("plugins reloaded");
    let label = "[)>\u{1e}06\u{1d}KPO-1001\u{1d}PSCR-M4-ND\u{1d}1PM4X10\u{1d}Q10\u{1e}\u{4}";
    for received in [10, 20] {
        let answer = scan(&server, label);
        assert_eq!(answer["product"]["sku"], "SCREW-M4", "{answer}");
        let receipt = &answer["actions"]["receipts"][0];
        assert_eq!(receipt["received"], received, "{answer}");
        assert_eq!(receipt["ordered"], 25);
        assert_eq!(answer["actions"]["movements"][0]["location"], "DOCK");
    }
    let answer = scan(&server, label);
    assert_eq!(answer["actions"]["receipts"], json!([]));
    assert_eq!(answer["actions"]["movements"], json!([]));
    let reason = answer["actions"]["refused"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("would make 30 received of 25 ordered"),
        "{reason}"
    );
    let fields = &answer["result"]["fields"];
    assert!(
        fields["receipt"]
            .as_str()
            .unwrap()
            .starts_with("not received"),
        "{fields}"
    );

    let order = cli_ok(dir, &["order", "show", "PO-1001"]);
    let order: Value = serde_json::from_slice(&order.stdout).unwrap();
    assert_eq!(order["lines"][0]["received"], 20);
    let levels = cli_ok(dir, &["stock", "levels", "SCREW-M4"]);
    let levels = String::from_utf8_lossy(&levels.stdout);
    assert!(
        levels
            .lines()
            .any(|line| line.contains("DOCK") && line.ends_with(" 20")),
        "{levels}"
    );

    // What the console's stock and orders pages read, for admins only.
    let admin = format!("Bearer {}", admin(&server));
    for path in ["/api/orders", "/api/stock?sku=SCREW-M4"] {
        assert_eq!(server.get(path).status, 403, "{path} with a pos key");
    }
    let orders = server.request_as(Some(&admin), "GET", "/api/orders", b"");
    assert_eq!(orders.status, 200, "{}", orders.body);
    let line = &orders.json()["orders"][0]["lines"][0];
    assert_eq!(
        (&line["sku"], &line["ordered"], &line["received"]),
        (&json!("SCREW-M4"), &json!(25), &json!(20))
    );
    let stock = server
        .request_as(Some(&admin), "GET", "/api/stock?sku=SCREW-M4&limit=2", b"")
        .json();
    assert_eq!(
        stock["levels"],
        json!([
            { "sku": "SCREW-M4", "location": "DOCK", "level": 20 },
            { "sku": "SCREW-M4", "location": "LINE-1", "level": 100 },
        ])
    );
    assert_eq!(stock["more_levels"], false);
    let movements = stock["movements"].as_array().unwrap();
    assert_eq!(movements.len(), 2, "limit=2 gives the newest two: {stock}");
    assert!(
        movements
            .iter()
            .all(|m| m["order"] == "PO-1001" && m["delta"] == 10),
        "{stock}"
    );
    assert!(
        movements[0]["level"] == 20 && movements[1]["level"] == 10,
        "newest first: {stock}"
    );
    let bad = server.request_as(Some(&admin), "GET", "/api/stock?limit=0", b"");
    assert_eq!(bad.status, 400);
    let unknown = server.request_as(Some(&admin), "GET", "/api/stock?location=DOCK", b"");
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.json()["error"]
            .as_str()
            .unwrap()
            .contains("\"location\"")
    );
}

#[test]
fn history_pages_filter_and_prune_by_count() {
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]),
        &["--history-max", "5"],
    );
    for data in [
        "HELLO-1",
        "unknown-1",
        "HELLO-2",
        "4006381333931",
        "unknown-2",
        "HELLO-3",
        "HELLO-4",
    ] {
        server.scan(&json!({ "barcode_data": data }));
    }
    let admin = admin(&server);
    newest_entry(&server, &admin, "HELLO-4");
    let all = history(&server, &admin, "");
    let data: Vec<&str> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["barcode_data"].as_str().unwrap())
        .collect();
    assert_eq!(
        data,
        [
            "HELLO-4",
            "HELLO-3",
            "unknown-2",
            "4006381333931",
            "HELLO-2"
        ],
        "newest first, the two oldest pruned"
    );

    let first = history(&server, &admin, "?limit=2");
    assert_eq!(first["results"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let second = history(
        &server,
        &admin,
        next.trim_start_matches("/api/barcode/history"),
    );
    assert_eq!(second["results"][0]["barcode_data"], "unknown-2");
    assert_eq!(second["results"][1]["barcode_data"], "4006381333931");

    let missed = history(&server, &admin, "?result=no-match");
    let missed: Vec<&Value> = missed["results"].as_array().unwrap().iter().collect();
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0]["barcode_data"], "unknown-2");
    let gtin = history(&server, &admin, "?plugin=gtin");
    assert_eq!(gtin["results"][0]["lookup_code"], "04006381333931");

    assert_eq!(
        server.get("/api/barcode/history").status,
        403,
        "pos keys may not read it"
    );
    let bad = server.request_as(
        Some(&format!("Bearer {admin}")),
        "GET",
        "/api/barcode/history?limit=0",
        b"",
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn history_older_than_the_retention_is_pruned() {
    let server = Server::start_with(
        data_dir_with(&[("20-hello.wasm", "hello")]),
        &["--history-keep", "1s"],
    );
    server.scan(&json!({ "barcode_data": "HELLO-old" }));
    thread::sleep(Duration::from_millis(1500));
    server.scan(&json!({ "barcode_data": "HELLO-new" }));
    let admin = admin(&server);
    let mut kept = Vec::new();
    for _ in 0..50 {
        kept = history(&server, &admin, "")["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["barcode_data"].as_str().unwrap().to_owned())
            .collect();
        if kept == ["HELLO-new"] {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(kept, ["HELLO-new"]);
}

#[test]
fn a_stock_change_past_its_bound_is_refused_whatever_its_sign() {
    let server = stocked_server(&[("10-gtin.wasm", "gtin")], &[], &[]);
    for delta in [
        "-9223372036854775808",
        "9223372036854775807",
        "-1000000001",
        "1000000001",
    ] {
        let output = crate::harness::cli(
            server.data_dir(),
            &[
                "stock", "adjust", "SCREW-M4", "LINE-1", delta, "--reason", "x",
            ],
        );
        assert!(!output.status.success(), "{delta} was accepted");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains("a stock change is 1 to 1000000000 units either way"),
            "{delta}: {said}"
        );
    }
    assert_eq!(level(&server), 100);
}
