//! Plugins in Python and JavaScript, built from the package registries by
//! `guest-plugins/build.sh`, installed into the real server and scanned
//! over HTTP; the hostile ones contained like Rust's.

use serde_json::{Value, json};

use crate::harness::{Server, cli, cli_ok, data_dir_with};

/// The two example plugins in front of gtin, with settings and grants an
/// operator would give them, and a product a supplier's label names.
fn examples() -> Server {
    let data = data_dir_with(&[
        ("10-inventree-labels.wasm", "inventree_labels"),
        ("20-supplier-qr.wasm", "supplier_qr"),
        ("50-gtin.wasm", "gtin"),
    ]);
    let dir = data.path();
    cli_ok(
        dir,
        &[
            "catalog",
            "product",
            "--sku",
            "SW-TACT",
            "--name",
            "Tactile switch",
            "--category",
            "Parts",
            "--price",
            "0.12",
            "--currency",
            "EUR",
            "--supplier-part",
            "TME:WBP-302",
        ],
    );
    cli_ok(
        dir,
        &[
            "catalog",
            "product",
            "--sku",
            "PART-2",
            "--name",
            "Bolt M4",
            "--category",
            "Parts",
            "--price",
            "0.05",
            "--currency",
            "EUR",
        ],
    );
    cli_ok(
        dir,
        &["plugin", "config", "inventree-labels", "part_sku=PART-{pk}"],
    );
    for plugin in ["inventree-labels", "supplier-qr"] {
        cli_ok(dir, &["plugin", "grant", plugin, "catalog-read"]);
    }
    Server::start(data)
}

fn scan(server: &Server, data: &str) -> (u16, Value) {
    let response = server.scan(&json!({ "barcode_data": data }));
    (response.status, response.json())
}

const TME: &str = "QTY:1 PN:WBP-302 PO:19361337/1 CPO:PO-2023-06-08-001337 \
                   MFR:WISHERENTERPRISE MPN:WBP-302 RoHS https://www.tme.eu/details/WBP-302";

#[test]
fn a_python_plugin_decodes_rejects_passes_and_reads_the_catalog() {
    let server = examples();
    let (status, body) = scan(&server, "INV-SI123");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plugin"], "inventree-labels");
    assert_eq!(body["result"]["format"], "INV-SI");
    assert_eq!(body["result"]["fields"]["pk"], "123");
    assert_eq!(body["result"]["payload"], json!({"stockitem": {"pk": 123}}));

    // A part label: the configured SKU template, and the granted catalog call.
    let (status, body) = scan(&server, "INV-PA2");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["fields"]["sku"], "PART-2");
    assert_eq!(body["result"]["fields"]["name"], "Bolt M4");

    // Its format, but invalid: raised `Invalid` becomes the 422.
    let (status, body) = scan(&server, "INV-XX9");
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["plugin"], "inventree-labels");
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .starts_with("unknown type 'XX'")
    );

    // Not its format: the next plugin decodes it.
    let (status, body) = scan(&server, "4006381333931");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plugin"], "gtin");
}

#[test]
fn a_javascript_plugin_decodes_rejects_passes_and_reads_the_catalog() {
    let server = examples();
    let (status, body) = scan(&server, TME);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plugin"], "supplier-qr");
    assert_eq!(body["result"]["format"], "TME-QR");
    assert_eq!(body["result"]["quantity"], 1);
    assert_eq!(
        body["result"]["fields"]["supplier_order_number"],
        "19361337"
    );
    // The granted catalog call found the product by its supplier part.
    assert_eq!(body["result"]["fields"]["sku"], "SW-TACT");
    assert_eq!(body["result"]["fields"]["product"], "Tactile switch");

    let (status, body) = scan(&server, "QTY:many PN:WBP-302");
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["reason"], "quantity \"many\" is not a number");

    let (status, body) = scan(&server, "{pbn:PICK1,on:SO1,pc:C312270,pm:ST-1,qty:2}");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["format"], "LCSC-QR");

    // Its settings: with LCSC turned off, LCSC's label is no one's.
    cli_ok(
        server.data_dir(),
        &["plugin", "config", "supplier-qr", "formats=tme"],
    );
    server.wait_for_log("plugins reloaded");
    let (status, body) = scan(&server, "{pbn:PICK1,on:SO1,pc:C312270,pm:ST-1,qty:2}");
    assert_eq!(status, 404, "{body}");
}

#[test]
fn what_python_and_javascript_plugins_print_reaches_the_log() {
    let server = examples();
    // Without the grant the JS plugin's catalog call is refused, and it says so.
    let revoked = cli_ok(
        server.data_dir(),
        &["plugin", "revoke", "supplier-qr", "catalog-read"],
    );
    assert_eq!(
        String::from_utf8_lossy(&revoked.stderr).trim(),
        "Plugin supplier-qr now holds no capabilities: its calls to the server are refused."
    );
    server.wait_for_log("plugins reloaded");
    let (status, body) = scan(&server, TME);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["actions"]["refused"][0]["error"], "not-granted",
        "{body}"
    );
    server.wait_for_log("[supplier-qr] stdout: catalog not read for WBP-302: not-granted");
}

#[test]
fn hostile_python_and_javascript_plugins_fail_alone_naming_their_limit() {
    let server = Server::start_with(
        data_dir_with(&[
            ("10-hostile-py-loop.wasm", "hostile_py_loop"),
            ("10-hostile-js-memory.wasm", "hostile_js_memory"),
            ("10-hostile-js-print.wasm", "hostile_js_print"),
            ("50-gtin.wasm", "gtin"),
        ]),
        &["--quarantine-after", "0"],
    );
    let (status, body) = scan(&server, "4006381333931");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plugin"], "gtin");
    for (plugin, limit) in [
        ("hostile-py-loop", "cpu-time"),
        ("hostile-js-memory", "memory"),
        ("hostile-js-print", "output"),
    ] {
        let found = body["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["plugin"] == plugin)
            .unwrap_or_else(|| panic!("no diagnostic for {plugin} in {body}"));
        assert_eq!(found["limit"], limit, "{found}");
    }
    // What the printing plugin managed to print is logged, and no more.
    server.wait_for_log("[hostile-js-print] stdout: line 0: all work and no play");
    assert!(
        server
            .log_lines("[hostile-js-print] stdout: line 150")
            .is_empty()
    );
}

#[test]
fn installing_something_that_is_not_a_component_says_what_to_change() {
    let data = data_dir_with(&[]);
    let dir = data.path();
    let rlib = dir.join("libshelf.rlib");
    std::fs::write(
        &rlib,
        b"!<arch>\n/               0           0     0     0       8         `\n",
    )
    .unwrap();
    let output = cli(dir, &["plugin", "install", rlib.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("crate-type = [\"cdylib\"]"), "{stderr}");

    // A core module: what wasm32-unknown-unknown builds.
    let core = dir.join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    let output = cli(dir, &["plugin", "install", core.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a core WebAssembly module, not a component"),
        "{stderr}"
    );
}

#[test]
fn inventrees_own_plugin_example_runs_with_only_its_imports_changed() {
    let server = Server::start(data_dir_with(&[
        ("10-mybarcode.wasm", "inventree_seed"),
        ("50-gtin.wasm", "gtin"),
    ]));
    // Its empty dict is "no match", as in InvenTree: gtin still decodes.
    let (status, body) = scan(&server, "4006381333931");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["plugin"], "gtin");
    let (status, body) = scan(&server, "ANY-LABEL-42");
    assert_eq!(status, 404, "{body}");
    // Every scan is a fresh instance: its counter starts over each time.
    server.wait_for_log("[mybarcode] stdout: Started barcode plugin 1");
    server.wait_for_log("[mybarcode] stdout: ANY-LABEL-42");
}
