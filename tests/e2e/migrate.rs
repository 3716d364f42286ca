//! `barcoded store migrate`: a single server's data folder moved into
//! PostgreSQL and back, every record checked, and served from each.

use serde_json::{Value, json};

use crate::harness::{Server, TempDir, binary, cli_ok, create_key, keep_redb, store_url};

/// Runs `barcoded store migrate --from FROM --to TO`; both stores are named
/// on the command line, none comes from the environment.
fn migrate(from: &str, to: &str) -> std::process::Output {
    std::process::Command::new(binary())
        .args(["store", "migrate", "--from", from, "--to", to])
        .env_remove("BARCODED_STORE")
        .output()
        .expect("running barcoded store migrate")
}

fn migrated(from: &str, to: &str) -> String {
    let output = migrate(from, to);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("the copy matches the source record by record"),
        "{stderr}"
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A redb data folder that a server has run on: plugins with a grant and a
/// setting, a key, a product with stock, an order, and scans in the history.
fn single_server_folder() -> (TempDir, String) {
    let data = TempDir::new();
    keep_redb(data.path());
    let dir = data.path();
    for (component, priority) in [("gtin", "10"), ("kanban", "20")] {
        let path = crate::harness::component(component);
        cli_ok(
            dir,
            &[
                "plugin",
                "install",
                path.to_str().unwrap(),
                "--priority",
                priority,
            ],
        );
    }
    cli_ok(dir, &["plugin", "grant", "kanban", "stock-write"]);
    cli_ok(dir, &["plugin", "config", "kanban", "quantity=3"]);
    crate::harness::add_screw(dir, &[]);
    let records = dir.join("records.csv");
    std::fs::write(
        &records,
        "barcode,barcodeType,productSku,uomCode,quantity\n\
         5410317126589,EAN,SCREW-M4,EA,1\n15410317126586,ITF-14,SCREW-M4,CA,100\n",
    )
    .unwrap();
    cli_ok(dir, &["catalog", "import", records.to_str().unwrap()]);
    cli_ok(
        dir,
        &[
            "stock", "adjust", "SCREW-M4", "LINE-1", "100", "--reason", "counted",
        ],
    );
    cli_ok(
        dir,
        &[
            "order",
            "create",
            "PO-7",
            "--location",
            "DOCK",
            "--line",
            "SCREW-M4=25",
        ],
    );
    let server = Server::start_with(data, &[]);
    for data in ["KANBAN:SCREW-M4", "4006381333931", "KANBAN:SCREW-M4"] {
        let answer = server.scan(&json!({ "barcode_data": data }));
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let key = server.key().to_owned();
    // Scan counts reach the store every 2 s, and when the server stops.
    (server.stop(), key)
}

/// What a till and an operator see of a store, through a server on it.
fn seen(server: &Server, key: &str, admin: &str) -> Value {
    let get = |who: &str, path: &str| {
        let answer = server.request_as(Some(&format!("Bearer {who}")), "GET", path, b"");
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.json()
    };
    json!({
        "lookup": get(key, "/api/barcode/lookup/5410317126589"),
        "stock": get(key, "/api/stock/SCREW-M4"),
        "orders": get(admin, "/api/orders"),
        "history": get(admin, "/api/barcode/history?limit=10"),
        "plugins": get(admin, "/api/admin/plugins")["plugins"],
    })
}

/// A server on `data`, and an admin key for it.
fn serve(data: TempDir) -> (Server, String) {
    let admin = create_key(data.path(), "ops", "admin");
    (Server::start_without_key(data, &[]), admin)
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn a_data_folder_moves_into_postgresql_and_back_record_by_record() {
    assert!(
        crate::harness::postgres().is_some(),
        "needs PostgreSQL: set BARCODED_TEST_POSTGRES"
    );
    let (source, key) = single_server_folder();
    let database = TempDir::new();
    let url = store_url(database.path()).unwrap();
    let there = migrated(source.path().to_str().unwrap(), &url);
    for kind in [
        "products",
        "barcodes",
        "api-keys",
        "plugins",
        "components",
        "scan-history",
        "audit-trail",
    ] {
        let line = there
            .lines()
            .find(|l| l.starts_with(kind))
            .unwrap_or_else(|| panic!("{there}"));
        let records: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(records > 0, "{kind}: {there}");
    }
    // Never over records already there.
    let again = migrate(source.path().to_str().unwrap(), &url);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds records"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // And back into a new folder: the very same records, kind by kind.
    let back = TempDir::new();
    let back_data = back.path().join("data");
    keep_redb(&back_data);
    let returned = migrated(&url, back_data.to_str().unwrap());
    assert_eq!(returned, there);

    // Served from each, the three stores look the same; the key moved with
    // them, and the next scan books on from where the source left off.
    let mut views = Vec::new();
    for data in [source, database, TempDir::adopt(back_data)] {
        let (server, admin) = serve(data);
        views.push(seen(&server, &key, &admin));
        let answer = server.request_as(
            Some(&format!("Bearer {key}")),
            "POST",
            "/api/barcode/",
            br#"{"barcode_data": "KANBAN:SCREW-M4"}"#,
        );
        assert_eq!(
            answer.status,
            200,
            "{}\n{}",
            answer.body,
            server.log_lines("").join("\n")
        );
        let movement = &answer.json()["actions"]["movements"][0];
        assert_eq!(movement["level"], 91, "{movement}");
        assert_eq!(movement["id"], 4, "{movement}");
    }
    assert_eq!(views[0], views[1]);
    assert_eq!(views[1], views[2]);
    assert_eq!(views[0]["stock"]["total"], 94);
}
