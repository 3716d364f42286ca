//! Supplier plugins in InvenTree's shape (the Python SDK's
//! `SupplierBarcodeMixin`, the JavaScript SDK's `SupplierBarcodePlugin`)
//! through the real binary: scans of each distributor's labels answer the
//! catalog's product, and `POST /api/barcode/po-receive/` receives a label
//! against its purchase order once, as InvenTree's own endpoint does.
//!
//! The labels are InvenTree's test vectors (guest-plugins/ecia/vectors,
//! from InvenTree's test_supplier_barcodes.py).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::harness::{Response, Server, TempDir, add_product, binary, cli, cli_ok, data_dir_with};

/// The label named `name` among InvenTree's test vectors (the name up to
/// the note in brackets that some carry).
pub(crate) fn label(name: &str) -> String {
    let vectors: Value = serde_json::from_str(include_str!(
        "../../guest-plugins/ecia/vectors/supplier-labels.json"
    ))
    .unwrap();
    let found = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|vector| {
            let full = vector["name"].as_str().unwrap();
            full == name
                || full
                    .strip_prefix(name)
                    .is_some_and(|note| note.starts_with(" ("))
        });
    found.unwrap()["data"].as_str().unwrap().to_owned()
}

/// An ECIA label of the given fields, with the standard header and trailer.
fn ecia(fields: &[&str]) -> String {
    format!("[)>\u{1e}06\u{1d}{}\u{1e}\u{4}", fields.join("\u{1d}"))
}

fn product(data: &Path, sku: &str, name: &str, parts: &[&str]) {
    add_product(data, sku, name, "0.10", parts);
}

/// The products InvenTree's labels name, each listed under its supplier's
/// part number and its manufacturer's.
fn stock_the_catalog(data: &Path) {
    product(
        data,
        "OPAMP-358",
        "LM358 dual op-amp",
        &["DigiKey:296-LM358BIDDFRCT-ND", "TI:LM358BIDDFR"],
    );
    product(
        data,
        "REG-34063",
        "MC34063 regulator",
        &["Mouser:595-MC34063ADR", "TI:MC34063ADR"],
    );
    product(
        data,
        "LDO-320",
        "LDK320 regulator",
        &["Mouser:511-LDK320ADU33R", "ST:LDK320ADU33R"],
    );
    product(data, "SW-102", "Slide switch", &["LCSC:C312270"]);
    product(data, "BOX-302", "WBP-302 housing", &["TME:WBP-302"]);
    product(data, "RES-10K", "10k resistor 0603", &["Farnell:1234567"]);
}

fn scan(server: &Server, data: &str) -> Response {
    server.scan(&json!({ "barcode": data }))
}

fn receive(server: &Server, body: &Value) -> Response {
    server.request(
        "POST",
        "/api/barcode/po-receive/",
        body.to_string().as_bytes(),
    )
}

fn order_line(data: &Path, number: &str) -> Value {
    let shown = cli_ok(data, &["order", "show", number]);
    let order: Value = serde_json::from_slice(&shown.stdout).unwrap();
    order["lines"][0].clone()
}

fn level(data: &Path, sku: &str, location: &str) -> i64 {
    let levels = cli_ok(data, &["stock", "levels", sku]);
    String::from_utf8_lossy(&levels.stdout)
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some(location))
        .and_then(|line| line.split_whitespace().last()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn supplier_plugins_answer_each_distributors_labels_with_the_catalogs_product() {
    let data = data_dir_with(&[
        ("10-digikey.wasm", "supplier_digikey"),
        ("11-mouser.wasm", "supplier_mouser"),
        ("12-lcsc.wasm", "supplier_lcsc"),
        ("13-tme.wasm", "supplier_tme"),
        ("14-farnell.wasm", "supplier_farnell"),
        ("50-ecia.wasm", "ecia"),
    ]);
    for plugin in ["digikey", "mouser", "lcsc", "tme", "farnell"] {
        cli_ok(data.path(), &["plugin", "grant", plugin, "catalog-read"]);
    }
    stock_the_catalog(data.path());
    let server = Server::start(data);
    let farnell = ecia(&["P1234567", "1PRC0603-10K", "Q50"]);
    for (data, plugin, sku, quantity) in [
        (label("DIGIKEY_BARCODE"), "digikey", "OPAMP-358", 10),
        (label("DIGIKEY_BARCODE_2"), "digikey", "OPAMP-358", 10),
        (label("MOUSER_BARCODE"), "mouser", "REG-34063", 3),
        (label("MOUSER_BARCODE_OLD"), "mouser", "LDO-320", 32),
        (label("LCSC_BARCODE"), "lcsc", "SW-102", 2),
        (label("TME_QRCODE"), "tme", "BOX-302", 1),
        (label("TME_DATAMATRIX_CODE"), "tme", "BOX-302", 1),
        (farnell, "farnell", "RES-10K", 50),
    ] {
        let answer = scan(&server, &data);
        assert_eq!(answer.status, 200, "{data:?}: {}", answer.body);
        let body = answer.json();
        assert_eq!(body["plugin"], plugin, "{body}");
        assert_eq!(body["product"]["sku"], sku, "{body}");
        assert_eq!(body["result"]["lookup_code"], sku, "{body}");
        assert_eq!(body["result"]["quantity"], quantity, "{body}");
        assert_eq!(body["result"]["uom_code"], "EA", "{body}");
        // InvenTree's keys, where its clients read them.
        assert_eq!(body["success"], "Found matching item", "{body}");
        assert_eq!(body["supplierpart"]["part"], sku, "{body}");
        assert!(body["result"]["fields"].get("quantity").is_some(), "{body}");
        assert_eq!(body["actions"]["refused"], json!([]), "{body}");
    }
    // An ECIA label of a part no supplier part names is no supplier's match:
    // the next plugin (ecia, decoding any ECIA label) is asked.
    let unknown = ecia(&["P999-NOT-LISTED", "1PNOPE", "Q5"]);
    let body = scan(&server, &unknown).json();
    assert_eq!(body["plugin"], "ecia", "{body}");
    assert_eq!(body["product"], Value::Null, "{body}");
    assert!(body.get("supplierpart").is_none(), "{body}");
}

/// Receipts of DigiKey's and Mouser's labels by InvenTree's client (its
/// `api.post`, which raises on a 400: the script reports the status and body).
const RECEIVE_SCRIPT: &str = r#"
import json, sys
import requests
from inventree.api import InvenTreeAPI
api = InvenTreeAPI(sys.argv[1], token=sys.argv[2])
steps = []
for body in json.loads(sys.argv[3]):
    try:
        steps.append({"status": 200, "body": api.post("barcode/po-receive/", body)})
    except requests.exceptions.HTTPError as error:
        steps.append({"status": error.args[0]["status_code"], "body": json.loads(error.args[0]["body"])})
print(json.dumps(steps))
"#;

fn inventree_client(server: &Server, bodies: &Value) -> Vec<Value> {
    let output = Command::new("python3")
        .args(["-c", RECEIVE_SCRIPT])
        .arg(format!("http://{}/", server.address()))
        .arg(server.key())
        .arg(bodies.to_string())
        .output()
        .expect("running python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).expect("the client's answers as JSON")
}

/// A server with the DigiKey, Mouser (Python) and Farnell (JavaScript)
/// plugins granted what receiving needs, the catalog, and orders: PO-1
/// (DigiKey's reference 72991337) and PO-2 at DigiKey, P0-1337 at Mouser (a
/// line of REG-34063, then LDO-320), PO-F at Farnell.
fn receiving_server() -> Server {
    let data = data_dir_with(&[
        ("10-digikey.wasm", "supplier_digikey"),
        ("11-mouser.wasm", "supplier_mouser"),
        ("12-farnell.wasm", "supplier_farnell"),
    ]);
    for plugin in ["digikey", "mouser", "farnell"] {
        cli_ok(
            data.path(),
            &["plugin", "grant", plugin, "catalog-read", "po-receive"],
        );
    }
    stock_the_catalog(data.path());
    for (number, supplier, reference, lines) in [
        ("PO-1", "DigiKey", "72991337", &["OPAMP-358=25"][..]),
        ("PO-2", "DigiKey", "80000001", &["OPAMP-358=100"]),
        (
            "P0-1337",
            "Mouser",
            "73121337",
            &["REG-34063=10", "LDO-320=10"],
        ),
        ("PO-F", "Farnell", "F-1", &["RES-10K=500"]),
    ] {
        let mut args = vec![
            "order",
            "create",
            number,
            "--supplier",
            supplier,
            "--supplier-reference",
            reference,
            "--location",
            "DOCK",
        ];
        for line in lines {
            args.extend(["--line", line]);
        }
        cli_ok(data.path(), &args);
    }
    Server::start(data)
}

/// One server for every receipt below (its plugins compile once):
/// each step receives labels of its own.
#[test]
fn po_receive_answers_and_books_as_inventrees_endpoint_does() {
    let server = receiving_server();
    a_label_is_booked_once_as_inventrees_client_asks(&server);
    the_requests_order_location_and_allocation_are_honoured(&server);
    the_same_label_received_by_two_clients_at_once_is_booked_once(&server);
    a_javascript_supplier_plugin_receives_alike(&server);
}

fn a_javascript_supplier_plugin_receives_alike(server: &Server) {
    let label = ecia(&["P1234567", "KPO-F", "Q200"]);
    let answer = receive(server, &json!({ "barcode": label, "location": "BIN-4" }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["plugin"], "farnell");
    assert_eq!(body["success"], "Received purchase order line item");
    assert_eq!(body["lineitem"]["location"], "BIN-4");
    assert_eq!(body["fields"]["supplier_part_number"], "1234567");
    assert_eq!(level(server.data_dir(), "RES-10K", "BIN-4"), 200);
    let again = receive(server, &json!({ "barcode": label }));
    assert_eq!(again.json()["error"], "Item has already been received");
}

fn a_label_is_booked_once_as_inventrees_client_asks(server: &Server) {
    let dir = server.data_dir();
    let digikey = label("DIGIKEY_BARCODE");
    let steps = inventree_client(
        server,
        &json!([{ "barcode": digikey }, { "barcode": digikey }]),
    );
    assert_eq!(steps[0]["status"], 200, "{}", steps[0]);
    let first = &steps[0]["body"];
    assert_eq!(first["success"], "Received purchase order line item");
    assert_eq!(first["plugin"], "digikey");
    assert_eq!(
        first["lineitem"],
        json!({"pk": "OPAMP-358", "sku": "OPAMP-358", "quantity": 10,
               "supplier_part": "296-LM358BIDDFRCT-ND", "purchase_order": "PO-1", "location": "DOCK"})
    );
    assert_eq!(first["product"]["sku"], "OPAMP-358");
    assert_eq!(first["actions"]["receipts"][0]["received"], 10);
    // The second scan of the same label: InvenTree's refusal, nothing booked.
    assert_eq!(steps[1]["status"], 400, "{}", steps[1]);
    assert_eq!(steps[1]["body"]["error"], "Item has already been received");
    assert_eq!(order_line(dir, "PO-1")["received"], 10);
    assert_eq!(level(dir, "OPAMP-358", "DOCK"), 10);
    // Control characters aside, it is the same label: still refused.
    let printable: String = digikey.chars().filter(|c| !c.is_control()).collect();
    let again = receive(server, &json!({ "barcode": printable }));
    assert_eq!(again.status, 400, "{}", again.body);

    // The receipt is in the history, with the key that asked.
    let admin = crate::harness::create_key(dir, "admin", "admin");
    let history = server
        .request_as(
            Some(&format!("Bearer {admin}")),
            "GET",
            "/api/barcode/history?limit=5",
            b"",
        )
        .json();
    let receipts: Vec<&Value> = history["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["format"] == "po-receive" && entry["barcode_data"] == digikey)
        .collect();
    assert_eq!(receipts.len(), 1, "{history}");
    assert_eq!(receipts[0]["key"], "e2e");
    assert_eq!(receipts[0]["actions"]["receipts"][0]["order"], "PO-1");
}

fn the_requests_order_location_and_allocation_are_honoured(server: &Server) {
    let dir = server.data_dir();
    // Mouser's label without a quantity: InvenTree's action_required, with
    // what remains on the line; nothing booked.
    let answer = receive(
        server,
        &json!({ "barcode": label("MOUSER without quantity") }),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(
        body["action_required"],
        "Further information required to receive line item"
    );
    assert_eq!(body["lineitem"]["quantity"], 10);
    assert_eq!(body["actions"]["receipts"], json!([]));
    assert_eq!(order_line(dir, "P0-1337")["received"], 0);

    // Its label with a quantity, into the location the request names (a
    // new label: the same line's label without a quantity booked nothing); the
    // order is the one its `K` names (our order number).
    let answer = receive(
        server,
        &json!({ "barcode": label("MOUSER_BARCODE"), "location": "SHELF-7" }),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["lineitem"]["location"], "SHELF-7");
    assert_eq!(level(dir, "REG-34063", "SHELF-7"), 3);
    assert_eq!(level(dir, "REG-34063", "DOCK"), 0);

    // The request's order wins over the one the label names, and
    // auto_allocate false books nothing.
    let digikey = label("DIGIKEY_BARCODE_2");
    let dry = receive(
        server,
        &json!({ "barcode": digikey, "purchase_order": "PO-2", "auto_allocate": false }),
    );
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert!(dry.json()["action_required"].is_string(), "{}", dry.body);
    let booked = receive(
        server,
        &json!({ "barcode": digikey, "purchase_order": "PO-2" }),
    );
    assert_eq!(booked.status, 200, "{}", booked.body);
    assert_eq!(booked.json()["lineitem"]["purchase_order"], "PO-2");
    assert_eq!(order_line(dir, "PO-2")["received"], 10);
    assert_eq!(
        order_line(dir, "PO-1")["received"],
        10,
        "as the first step left it"
    );

    // A line that is not the label's part, an order that does not exist,
    // a label no plugin knows, a bad field: 400, each saying why.
    let wrong_line = receive(
        server,
        &json!({ "barcode": label("MOUSER without quantity"), "purchase_order": "P0-1337",
                 "line_item": "LDO-320" }),
    );
    assert_eq!(wrong_line.status, 400, "{}", wrong_line.body);
    assert_eq!(
        wrong_line.json()["error"],
        "Supplier part does not match line item"
    );
    let missing = receive(
        server,
        &json!({ "barcode": label("DIGIKEY_BARCODE"), "purchase_order": 404 }),
    );
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert!(
        missing.json()["purchase_order"].is_array(),
        "{}",
        missing.body
    );
    let unknown = receive(server, &json!({ "barcode": ecia(&["P999", "Q1"]) }));
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.json()["error"], "No match for supplier barcode");
    for bad in [
        json!({ "barcode": "x", "auto_allocate": "yes" }),
        json!({ "barcode": label("MOUSER_BARCODE"), "line_item": "REG-34063" }),
        // Nothing printable: it could not be told from another such label.
        json!({ "barcode": "\u{1d}\u{1e}\u{4}" }),
    ] {
        let refused = receive(server, &bad);
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }
    let nobody = server.request_as(None, "POST", "/api/barcode/po-receive/", b"{}");
    assert_eq!(nobody.status, 401);
    assert_eq!(
        order_line(dir, "PO-1")["received"],
        10,
        "nothing more was booked"
    );
}

fn the_same_label_received_by_two_clients_at_once_is_booked_once(server: &Server) {
    let body = json!({ "barcode": label("MOUSER_BARCODE_OLD") }).to_string();
    // LDK320 is Mouser's too: an order line for it to receive against.
    cli_ok(
        server.data_dir(),
        &[
            "order",
            "create",
            "21421337",
            "--supplier",
            "Mouser",
            "--location",
            "DOCK",
            "--line",
            "LDO-320=100",
        ],
    );
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    server
                        .request("POST", "/api/barcode/po-receive/", body.as_bytes())
                        .status
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 400].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(order_line(server.data_dir(), "21421337")["received"], 32);
}

/// `barcoded plugin try ARGS` on `data`'s store: its one line of JSON.
fn try_plugin(data: &Path, args: &[&str]) -> Value {
    let tried = cli(data, &[&["plugin", "try"][..], args].concat());
    serde_json::from_slice(&tried.stdout).expect("one line of JSON")
}

#[test]
fn a_supplier_plugin_in_inventrees_shape_builds_with_plugin_build() {
    let project = TempDir::new();
    std::fs::write(
        project.path().join("plugin.py"),
        include_str!("../../guest-plugins/supplier-lcsc/plugin.py"),
    )
    .unwrap();
    let built = Command::new(binary())
        .current_dir(project.path())
        .args(["plugin", "build"])
        .output()
        .expect("running barcoded");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let data = TempDir::new();
    stock_the_catalog(data.path());
    let wasm = project.path().join("plugin.wasm");
    let wasm = wasm.to_str().unwrap();
    let lcsc = label("LCSC_BARCODE");
    let answer = try_plugin(data.path(), &[wasm, &lcsc, "--grant", "catalog-read"]);
    assert_eq!(answer["answer"], "decoded", "{answer}");
    assert_eq!(answer["plugin"], "lcsc", "{answer}");
    assert_eq!(answer["result"]["lookup_code"], "SW-102", "{answer}");

    // `plugin try --receive` runs its receipt as po-receive would, and books nothing.
    cli_ok(
        data.path(),
        &[
            "order",
            "create",
            "PO-7",
            "--supplier",
            "LCSC",
            "--supplier-reference",
            "SO2009291337",
            "--location",
            "DOCK",
            "--line",
            "SW-102=5",
        ],
    );
    let answer = try_plugin(
        data.path(),
        &[
            wasm,
            &lcsc,
            "--grant",
            "catalog-read",
            "--grant",
            "po-receive",
            "--receive",
            "--location",
            "BIN-2",
        ],
    );
    assert_eq!(answer["answer"], "received", "{answer}");
    assert_eq!(answer["line"]["location"], "BIN-2", "{answer}");
    assert_eq!(answer["receipts"][0]["quantity"], 2, "{answer}");
    assert_eq!(order_line(data.path(), "PO-7")["received"], 0);

    // Without the grant: the plugin's own name, and the flag `try` takes.
    let farnell = crate::harness::component("supplier_farnell");
    let label = ecia(&["P1234567", "Q1"]);
    let answer = try_plugin(data.path(), &[farnell.to_str().unwrap(), &label]);
    assert_eq!(answer["answer"], "not-mine", "{answer}");
    assert_eq!(answer["plugin"], "farnell", "{answer}");
    let reason = answer["refused_calls"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("plugin farnell is not granted catalog-read")
            && reason.contains("`--grant catalog-read`"),
        "{reason}"
    );
}

/// A component built against the WIT as published before `receiving` and
/// the new `purchasing` functions (guest-plugins/previous-wit keeps that
/// WIT): it loads, scans, reads the catalog and receives through the old
/// `purchasing.receive`, and `po-receive` never asks it.
#[test]
fn a_component_of_the_previous_wit_loads_scans_and_receives_as_before() {
    let data = data_dir_with(&[("10-previous.wasm", "previous_wit")]);
    cli_ok(
        data.path(),
        &["plugin", "grant", "previous", "catalog-read", "po-receive"],
    );
    stock_the_catalog(data.path());
    cli_ok(
        data.path(),
        &[
            "order",
            "create",
            "PO-9",
            "--location",
            "DOCK",
            "--line",
            "OPAMP-358=10",
        ],
    );
    let server = Server::start(data);
    let answer = scan(&server, "PREV:PO-9:OPAMP-358:4");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["plugin"], "previous", "{body}");
    assert_eq!(body["result"]["fields"]["name"], "LM358 dual op-amp");
    assert_eq!(body["result"]["fields"]["receipt"], "4 of 10 received");
    assert_eq!(body["actions"]["receipts"][0]["received"], 4, "{body}");
    assert_eq!(order_line(server.data_dir(), "PO-9")["received"], 4);
    // Only what it claims reaches it; it exports no `receiving`.
    assert_eq!(scan(&server, "4006381333931").status, 404);
    let receipt = receive(&server, &json!({ "barcode": "PREV:PO-9:OPAMP-358:4" }));
    assert_eq!(receipt.status, 400, "{}", receipt.body);
    assert_eq!(receipt.json()["error"], "No match for supplier barcode");
    assert_eq!(order_line(server.data_dir(), "PO-9")["received"], 4);
}

/// A supplier plugin whose receipt loops, or floods its answer, is stopped
/// by its limits like a scan, named in the diagnostics, and the next plugin
/// receives the label.
#[test]
fn a_hostile_receipt_is_stopped_and_the_next_plugin_receives() {
    let data = data_dir_with(&[
        ("05-hostile.wasm", "hostile_js_receive"),
        ("12-farnell.wasm", "supplier_farnell"),
    ]);
    for plugin in ["hostile", "farnell"] {
        cli_ok(
            data.path(),
            &["plugin", "grant", plugin, "catalog-read", "po-receive"],
        );
    }
    stock_the_catalog(data.path());
    cli_ok(
        data.path(),
        &[
            "order",
            "create",
            "PO-F",
            "--supplier",
            "Farnell",
            "--location",
            "DOCK",
            "--line",
            "RES-10K=500",
        ],
    );
    let server = Server::start(data);
    for (mode, quantity, limits) in [
        ("loop", "Q1", &["cpu-time"][..]),
        ("flood", "Q2", &["transfer", "answer"]),
    ] {
        if mode != "loop" {
            cli_ok(
                server.data_dir(),
                &["plugin", "config", "hostile", &format!("mode={mode}")],
            );
            server.wait_for_log("plugins reloaded");
        }
        let label = ecia(&["P1234567", "KPO-F", quantity]);
        let answer = receive(&server, &json!({ "barcode": label }));
        assert_eq!(answer.status, 200, "{mode}: {}", answer.body);
        let body = answer.json();
        assert_eq!(body["plugin"], "farnell", "{mode}: {body}");
        let diagnostic = &body["diagnostics"][0];
        assert_eq!(diagnostic["plugin"], "hostile", "{mode}: {body}");
        assert!(
            limits.contains(&diagnostic["limit"].as_str().unwrap_or_default()),
            "{mode}: {body}"
        );
    }
    assert_eq!(order_line(server.data_dir(), "PO-F")["received"], 3);
    // Its scans are harmless, and the server still answers them.
    let label = ecia(&["P1234567", "Q5"]);
    assert_eq!(scan(&server, &label).json()["plugin"], "hostile");
}
