//! Upgrades keep the data: the data folder an earlier release wrote
//! (tests/fixtures/store-v*/, committed, never regenerated) opens, migrates
//! and serves with this build, on redb and, moved there, on PostgreSQL; and
//! so does the PostgreSQL database it wrote (tests/fixtures/postgres-v*/).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::{Server, TempDir, cli_ok, keep_redb, psql, store_url};

fn fixture(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/fixtures/store-v{version}"))
}

/// A new database of the suite's server holding the dump of schema
/// `version`, and its URL.
fn database_from_dump(version: u32) -> (TempDir, String) {
    let database = TempDir::new();
    let url = store_url(database.path()).expect("needs PostgreSQL");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../tests/fixtures/postgres-v{version}/dump.sql"));
    psql(&url, &std::fs::read_to_string(fixture).unwrap());
    (database, url)
}

/// A copy of `from` at `to`, as a release left it.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn key(version: u32, name: &str) -> String {
    let key = std::fs::read_to_string(fixture(version).join(name)).unwrap();
    format!("Bearer {}", key.trim())
}

/// What the fixture of `version` holds, answered by `server`.
fn serves_the_fixture(server: &Server, version: u32) {
    let (till, ops) = (key(version, "till.key"), key(version, "ops.key"));
    let get = |key: &str, path: &str| {
        let answer = server.request_as(Some(key), "GET", path, b"");
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.json()
    };
    let lookup = get(&till, "/api/barcode/lookup/5410317126589");
    assert_eq!(lookup["product"]["sku"], "DV-KAT-SENIOR-2KG", "{lookup}");
    let scan = server.request_as(
        Some(&till),
        "POST",
        "/api/barcode/",
        br#"{"barcode_data":"4006381333931"}"#,
    );
    assert_eq!(scan.status, 200, "{}", scan.body);
    assert_eq!(scan.json()["plugin"], "gtin");
    let history = get(&ops, "/api/barcode/history?limit=500");
    let scanned: Vec<&str> = history["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["barcode_data"].as_str().unwrap())
        .collect();
    assert!(scanned.contains(&"KANBAN:SCREW-M4"), "{history}");
    let stock = get(&till, "/api/stock/SCREW-M4");
    assert!(stock.to_string().contains("SHELF-1"), "{stock}");
    let orders = get(&ops, "/api/orders");
    assert!(orders.to_string().contains("PO-FIXTURE-1"), "{orders}");
    let plugins = get(&ops, "/api/admin/plugins");
    let kanban = plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kanban")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(kanban["grants"][0], "stock-write", "{plugins}");
    let audit = get(&ops, "/api/admin/audit?actor=fixture&operation=trust");
    assert_eq!(
        audit["results"][0]["target"], "fixture-publisher",
        "{audit}"
    );
}

#[test]
fn the_data_folder_of_schema_version_2_opens_and_serves() {
    let data = TempDir::new();
    keep_redb(data.path());
    copy_dir(&fixture(2).join("data"), data.path());
    let server = Server::start_without_key(data, &[]);
    serves_the_fixture(&server, 2);
    // Its history and trust listed from the command line too.
    let trust = cli_ok(server.data_dir(), &["trust", "list"]);
    assert!(String::from_utf8_lossy(&trust.stdout).contains("fixture-publisher"));
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn the_data_folder_of_schema_version_2_moves_into_postgresql_and_serves() {
    let source = TempDir::new();
    keep_redb(source.path());
    copy_dir(&fixture(2).join("data"), source.path());
    let database = TempDir::new();
    let url = store_url(database.path()).expect("needs PostgreSQL");
    cli_ok(
        source.path(),
        &[
            "store",
            "migrate",
            "--from",
            source.path().to_str().unwrap(),
            "--to",
            &url,
        ],
    );
    let server = Server::start_without_key(database, &[]);
    serves_the_fixture(&server, 2);
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn the_postgresql_database_of_schema_version_3_opens_and_serves() {
    let (database, _) = database_from_dump(3);
    let server = Server::start_without_key(database, &[]);
    // It holds the records of store-v2, moved: the same keys open it.
    serves_the_fixture(&server, 2);
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn a_database_a_newer_release_upgraded_is_refused_with_what_to_do() {
    let (database, url) = database_from_dump(3);
    psql(&url, "INSERT INTO schema_migrations (version) VALUES (99)");
    let log = match Server::try_start(database, &[]) {
        Ok(_) => panic!("a database of schema version 99 was served"),
        Err(log) => log,
    };
    assert!(
        log.contains("schema is at version 99") && log.contains("Run that version"),
        "{log}"
    );
}
