//! The audit trail: every administrative change, over the API and the
//! command line, recorded once with who made it, on either store.

use serde_json::{Value, json};

use crate::harness::{Server, add_product, command, component, create_key, data_dir_with};

/// Runs `barcoded ARGS` as the command-line user `clerk-7`; it must succeed.
fn as_clerk(server: &Server, args: &[&str]) -> std::process::Output {
    let output = command(server.data_dir())
        .env("USER", "clerk-7")
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Every entry of the trail, newest first, over the API.
fn trail(server: &Server, admin: &str) -> Vec<Value> {
    let answer = server.request_as(Some(admin), "GET", "/api/admin/audit?limit=500", b"");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["next"], Value::Null);
    answer.json()["results"].as_array().unwrap().clone()
}

#[test]
fn every_administrative_change_is_in_the_audit_trail_once_with_who_made_it() {
    let server = Server::start_with(data_dir_with(&[("10-gtin.wasm", "gtin")]), &["--demo"]);
    let admin = format!("Bearer {}", create_key(server.data_dir(), "ops", "admin"));
    let call = |method: &str, path: &str, body: &[u8]| {
        let answer = server.request_as(Some(&admin), method, path, body);
        assert!(
            answer.status < 300,
            "{method} {path}: {} {}",
            answer.status,
            answer.body
        );
        answer
    };

    // Over the API, as the key `ops`.
    let created = call(
        "POST",
        "/api/admin/keys",
        json!({"name": "till-2", "role": "pos"})
            .to_string()
            .as_bytes(),
    );
    let secret = created.json()["key"].as_str().unwrap().to_owned();
    call("DELETE", "/api/admin/keys/till-2", b"");
    let hello = std::fs::read(component("hello")).unwrap();
    call("POST", "/api/admin/plugins?name=hello&priority=20", &hello);
    call(
        "PUT",
        "/api/admin/plugins/hello/priority",
        br#"{"priority": 5}"#,
    );
    call(
        "PUT",
        "/api/admin/plugins/hello/config",
        br#"{"token": "s3cret-supplier-token"}"#,
    );
    call(
        "PUT",
        "/api/admin/plugins/hello/limits",
        br#"{"cpu_time_ms": 50}"#,
    );
    call(
        "PUT",
        "/api/admin/plugins/hello/grants",
        br#"["catalog-read"]"#,
    );
    call("POST", "/api/admin/plugins/hello/disable", b"");
    call("POST", "/api/admin/plugins/hello/enable", b"");
    call(
        "POST",
        "/api/barcode/link/",
        json!({"barcode": "BOX-77", "part": "DV-KAT-SENIOR-2KG"})
            .to_string()
            .as_bytes(),
    );
    call("DELETE", "/api/admin/links/DV-KAT-SENIOR-2KG", b"");
    call("DELETE", "/api/admin/plugins/hello", b"");

    // From the command line, as the user `clerk-7`.
    as_clerk(
        &server,
        &["key", "create", "--name", "till-3", "--role", "pos"],
    );
    as_clerk(&server, &["plugin", "priority", "gtin", "15"]);
    add_product(server.data_dir(), "SCREW-M4", "Screw M4", "0.05", &[]);
    as_clerk(
        &server,
        &[
            "stock", "adjust", "SCREW-M4", "SHELF-1", "12", "--reason", "counted",
        ],
    );

    let entries = trail(&server, &admin);
    let expected = [
        ("api", "ops", "key.create", "till-2"),
        ("api", "ops", "key.revoke", "till-2"),
        ("api", "ops", "plugin.install", "hello"),
        ("api", "ops", "plugin.priority", "hello"),
        ("api", "ops", "plugin.settings", "hello"),
        ("api", "ops", "plugin.limits", "hello"),
        ("api", "ops", "plugin.grants", "hello"),
        ("api", "ops", "plugin.disable", "hello"),
        ("api", "ops", "plugin.enable", "hello"),
        ("api", "ops", "link.create", "DV-KAT-SENIOR-2KG"),
        ("api", "ops", "link.remove", "DV-KAT-SENIOR-2KG"),
        ("api", "ops", "plugin.remove", "hello"),
        ("cli", "clerk-7", "key.create", "till-3"),
        ("cli", "clerk-7", "plugin.priority", "gtin"),
        ("cli", "clerk-7", "stock.adjust", "SCREW-M4"),
    ];
    for (via, actor, operation, target) in expected {
        let found = entries
            .iter()
            .filter(|e| {
                e["via"] == via
                    && e["actor"] == actor
                    && e["operation"] == operation
                    && e["target"] == target
            })
            .count();
        assert_eq!(found, 1, "{via} {actor} {operation} {target}: {entries:#?}");
    }
    // Newest first, with ids and times; what ops did over the API is in order.
    let ids: Vec<u64> = entries.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert!(
        entries
            .iter()
            .all(|e| e["time"].as_str().unwrap().ends_with('Z'))
    );
    let grant = entries
        .iter()
        .find(|e| e["operation"] == "plugin.grants")
        .unwrap();
    assert_eq!(grant["detail"], "catalog-read");
    let adjust = entries
        .iter()
        .find(|e| e["operation"] == "stock.adjust")
        .unwrap();
    assert_eq!(adjust["detail"], "+12 at SHELF-1: counted");
    // Neither a key's secret nor a setting's value is ever in it.
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        !text.contains(&secret) && !text.contains("s3cret-supplier-token"),
        "{text}"
    );
    let settings = entries
        .iter()
        .find(|e| e["operation"] == "plugin.settings")
        .unwrap();
    assert_eq!(settings["detail"], "replaced by token");

    // Filters and pages.
    let filtered = server.request_as(
        Some(&admin),
        "GET",
        "/api/admin/audit?operation=plugin&actor=ops&limit=2",
        b"",
    );
    let page = filtered.json();
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{page}");
    assert_eq!(results[0]["operation"], "plugin.remove");
    let next = page["next"].as_str().unwrap();
    let rest = server.request_as(Some(&admin), "GET", next, b"");
    assert_eq!(results[1]["operation"], "plugin.enable");
    assert_eq!(rest.json()["results"][0]["operation"], "plugin.disable");
    let bad = server.request_as(Some(&admin), "GET", "/api/admin/audit?who=ops", b"");
    assert_eq!(bad.status, 400, "{}", bad.body);
    let pos = server.get("/api/admin/audit");
    assert_eq!(pos.status, 403, "{}", pos.body);

    // The command line shows the same trail.
    let shown = as_clerk(&server, &["audit", "--operation", "key", "--json"]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let targets: Vec<&str> = shown["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["till-3", "till-2", "till-2", "ops", "e2e"],
        "{shown}"
    );
    let table = as_clerk(&server, &["audit", "--actor", "clerk-7"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("stock.adjust") && !table.contains("plugin.remove"),
        "{table}"
    );
}
