//! InvenTree's own Python client (the `inventree` package on PyPI, which
//! `just test` installs) against the real server: it probes, checks its
//! user, and scans with `Authorization: Token`.

use std::process::Command;

use serde_json::{Value, json};

use crate::harness::{Response, Server, cli, cli_ok, create_key, data_dir_with};

/// Runs `script` with InvenTree's client on `sys.path`; its arguments are
/// the server's URL, `key` and `arguments` as JSON, and it prints JSON.
fn run_inventree_client(server: &Server, key: &str, script: &str, arguments: &Value) -> Value {
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(format!("http://{}/", server.address()))
        .arg(key)
        .arg(arguments.to_string())
        .output()
        .expect("running python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("No module named 'inventree'"),
        "InvenTree's Python client is missing: `just test` installs it \
         (python3 -m pip install inventree==0.25.0)"
    );
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).expect("the client's answers as JSON")
}

/// Runs InvenTree's client against `server`: connect with the server's key,
/// then scan each of `barcodes`; returns the answers in order.
fn inventree_client_scans(server: &Server, barcodes: &[&str]) -> Vec<Value> {
    let script = r#"
import json, sys
from inventree.api import InvenTreeAPI
api = InvenTreeAPI(sys.argv[1], token=sys.argv[2])
print(json.dumps([api.scanBarcode(data) for data in json.loads(sys.argv[3])]))
"#;
    let answers = run_inventree_client(server, server.key(), script, &serde_json::json!(barcodes));
    serde_json::from_value(answers).expect("a list of answers")
}

#[test]
fn inventrees_python_client_connects_with_its_token_and_scans() {
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-gs1.wasm", "gs1")]),
        &["--demo"],
    );
    let gs1 = "]d2010400638133393110ABC123\u{1d}3012";
    let answers = inventree_client_scans(&server, &["4006381333931", gs1]);
    assert_eq!(answers[0]["plugin"], "gtin", "{}", answers[0]);
    assert_eq!(answers[0]["product"]["sku"], "STABILO-68-BLACK");
    // hashlib.md5(b"4006381333931").hexdigest()
    assert_eq!(
        answers[0]["barcode_hash"],
        "c1a8a4073d832f6e5d43cea45034c777"
    );
    assert_eq!(answers[1]["plugin"], "gs1", "{}", answers[1]);
    assert_eq!(answers[1]["result"]["fields"]["batch"], "ABC123");
    assert_eq!(answers[1]["result"]["quantity"], 12);
    // The GS separators are left out of the hash, as InvenTree leaves them out.
    let without_separators = server.scan(&serde_json::json!({
        "barcode_data": "]d2010400638133393110ABC1233012"
    }));
    assert_eq!(
        without_separators.json()["barcode_hash"],
        answers[1]["barcode_hash"]
    );
}

/// What InvenTree's client does to link a supplier's label and take the
/// link off again, each step's answer (or the HTTP status it raised) by
/// name: scan and look up, link with `api.post`, scan and look up, unlink,
/// scan and look up; then link and unlink with the client's own
/// `Part.assignBarcode` and `Part.unassignBarcode` for a product whose SKU
/// is a number, as InvenTree's part pks are.
const LINK_SCRIPT: &str = r#"
import json, sys
import requests
from inventree.api import InvenTreeAPI
from inventree.part import Part
api = InvenTreeAPI(sys.argv[1], token=sys.argv[2])
args = json.loads(sys.argv[3])
label, kept, sku = args["label"], args["kept"], args["sku"]

def step(call):
    try:
        return call()
    except requests.exceptions.HTTPError as error:
        return {"raised": error.args[0]["status_code"], "body": json.loads(error.args[0]["body"])}

steps = {}
def scan_and_look_up(when):
    steps["scan " + when] = step(lambda: api.scanBarcode(label))
    steps["lookup " + when] = step(lambda: api.get("barcode/lookup/" + kept))

scan_and_look_up("before")
steps["link"] = step(lambda: api.post("barcode/link/", {"barcode": label, "part": sku}))
scan_and_look_up("linked")
steps["unlink"] = step(lambda: api.post("barcode/unlink/", {"part": sku}))
scan_and_look_up("unlinked")
part = Part(api, data={"pk": args["numeric_sku"]})
steps["assign"] = step(lambda: part.assignBarcode(label, reload=False))
steps["scan assigned"] = step(lambda: api.scanBarcode(label))
steps["unassign"] = step(lambda: part.unassignBarcode(reload=False))
steps["scan unassigned"] = step(lambda: api.scanBarcode(label))
print(json.dumps(steps))
"#;

#[test]
fn inventrees_python_client_links_a_barcode_no_plugin_knows_and_unlinks_it() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-gs1.wasm", "gs1")]);
    let admin = create_key(data.path(), "inventree-admin", "admin");
    let server = Server::start_with(data, &["--demo"]);
    cli_ok(
        server.data_dir(),
        &[
            "catalog",
            "product",
            "--sku",
            "100042",
            "--name",
            "Reel of 100nF capacitors",
            "--category",
            "Parts",
            "--price",
            "4.10",
            "--currency",
            "EUR",
        ],
    );
    let sku = "DV-KAT-SENIOR-2KG";
    let steps = run_inventree_client(
        &server,
        &admin,
        LINK_SCRIPT,
        // A supplier's own box label, with the GS separator its scanner
        // sends; the link keeps it without, as InvenTree's hash does.
        &serde_json::json!({
            "label": "BOX-4471\u{1d}A",
            "kept": "BOX-4471A",
            "sku": sku,
            "numeric_sku": 100042,
        }),
    );
    let step = |name: &str| &steps[name];

    assert_eq!(
        step("scan before")["raised"],
        404,
        "{}",
        step("scan before")
    );
    assert_eq!(step("lookup before")["raised"], 404);
    let link = step("link");
    assert_eq!(
        link["success"], "Assigned barcode to part instance",
        "{link}"
    );
    assert_eq!(link["part"]["pk"], sku);
    assert_eq!(link["barcode"]["barcode"], "BOX-4471A");
    assert_eq!(link["barcode"]["barcodeType"], "LINK");
    assert_eq!(
        link["barcode_hash"],
        step("scan before")["body"]["barcode_hash"]
    );

    let scan = step("scan linked");
    assert_eq!(scan["linked"], true, "{scan}");
    assert_eq!(scan["plugin"], Value::Null);
    assert_eq!(scan["product"]["sku"], sku);
    assert_eq!(scan["barcode"]["id"], link["barcode"]["id"]);
    assert_eq!(scan["result"]["lookup_code"], "BOX-4471A");
    let lookup = step("lookup linked");
    assert_eq!(lookup["barcode"]["id"], link["barcode"]["id"], "{lookup}");
    assert_eq!(lookup["product"]["name"], "Dragonvale Cat Senior 2kg");

    let unlink = step("unlink");
    assert_eq!(
        unlink["success"], "Barcode unassigned from part instance",
        "{unlink}"
    );
    assert_eq!(unlink["unlinked"]["id"], link["barcode"]["id"]);
    assert_eq!(
        step("scan unlinked")["raised"],
        404,
        "{}",
        step("scan unlinked")
    );
    assert_eq!(step("lookup unlinked")["raised"], 404);

    assert_eq!(step("assign")["part"]["pk"], "100042", "{}", step("assign"));
    assert_eq!(step("scan assigned")["product"]["sku"], "100042");
    assert_eq!(step("unassign")["unlinked"]["productSku"], "100042");
    assert_eq!(step("scan unassigned")["raised"], 404);
}

/// `POST` of a JSON body with the key `bearer`.
fn post(server: &Server, bearer: &str, path: &str, body: &Value) -> Response {
    server.request_as(
        Some(&format!("Bearer {bearer}")),
        "POST",
        path,
        body.to_string().as_bytes(),
    )
}

#[test]
fn links_never_shadow_a_record_or_a_plugin_and_are_catalog_records_everywhere() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin")]);
    let admin = create_key(data.path(), "links-admin", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let dir = server.data_dir().to_owned();
    cli_ok(
        &dir,
        &[
            "catalog",
            "add-barcode",
            "--barcode",
            "SHELF-12",
            "--type",
            "INTERNAL",
            "--sku",
            "STABILO-68-BLACK",
            "--uom",
            "EA",
        ],
    );
    let link = |body: Value| post(&server, &admin, "/api/barcode/link/", &body);

    // A pos key may not link unless the operator says so.
    let pos = post(
        &server,
        server.key(),
        "/api/barcode/link/",
        &json!({"barcode": "BOX-1", "part": "STABILO-68-BLACK"}),
    );
    assert_eq!(pos.status, 403, "{}", pos.body);

    // A barcode a plugin decodes, one a record carries, an unknown product,
    // InvenTree's other models and nothing printable are all refused.
    let claimed = link(json!({"barcode": "4006381333931", "part": "VIT-C-1000MG-100CT"}));
    assert_eq!(claimed.status, 409, "{}", claimed.body);
    assert_eq!(claimed.json()["plugin"], "gtin");
    let shadowing = link(json!({"barcode": "SHELF-12", "part": "VIT-C-1000MG-100CT"}));
    assert_eq!(shadowing.status, 409, "{}", shadowing.body);
    assert!(
        shadowing.json()["error"]
            .as_str()
            .unwrap()
            .contains("STABILO-68-BLACK")
    );
    assert_eq!(
        server.get("/api/barcode/lookup/SHELF-12").json()["product"]["sku"],
        "STABILO-68-BLACK"
    );
    let unknown = link(json!({"barcode": "BOX-1", "part": "NO-SUCH-SKU"}));
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    for bad in [
        json!({"barcode": "BOX-1", "stockitem": 521}),
        json!({"barcode": "BOX-1"}),
        json!({"barcode": "\u{1d}\u{1e}", "part": "STABILO-68-BLACK"}),
        json!({"barcode": "BOX-1", "part": {"pk": 1}}),
        json!(["BOX-1"]),
    ] {
        let answer = link(bad.clone());
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
    }

    // One link per product: a second label replaces the first.
    let first = link(json!({"barcode": "BOX-1", "part": "VIT-C-1000MG-100CT"}));
    assert_eq!(first.status, 200, "{}", first.body);
    let second = link(json!({"barcode": "BOX-2", "part": "VIT-C-1000MG-100CT"}));
    assert_eq!(second.json()["replaced"], "BOX-1", "{}", second.body);
    assert_eq!(
        second.json()["barcode"]["id"],
        first.json()["barcode"]["id"]
    );
    assert_eq!(server.get("/api/barcode/lookup/BOX-1").status, 404);
    let scanned = server.scan(&json!({"barcode_data": "BOX-2"}));
    assert_eq!(
        scanned.json()["product"]["sku"],
        "VIT-C-1000MG-100CT",
        "{}",
        scanned.body
    );
    // Linking the same label to the same product again changes nothing.
    let again = link(json!({"barcode": "BOX-2", "part": "VIT-C-1000MG-100CT"}));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["replaced"], Value::Null);
    // ... but it cannot now mean another product.
    let taken = link(json!({"barcode": "BOX-2", "part": "STABILO-68-BLACK"}));
    assert_eq!(taken.status, 409, "{}", taken.body);

    // The history files the scan as resolved by its link (a scan that
    // books nothing is written within milliseconds of its answer).
    let linked_scans = || {
        server
            .request_as(
                Some(&format!("Bearer {admin}")),
                "GET",
                "/api/barcode/history?result=linked",
                b"",
            )
            .json()
    };
    let mut history = linked_scans();
    for _ in 0..100 {
        if history["results"][0] != Value::Null {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        history = linked_scans();
    }
    assert_eq!(history["results"][0]["barcode_data"], "BOX-2", "{history}");
    assert_eq!(history["results"][0]["lookup_code"], "BOX-2");

    // The admin API, the CLI and the export see the link as a record.
    let listed = server
        .request_as(
            Some(&format!("Bearer {admin}")),
            "GET",
            "/api/admin/links",
            b"",
        )
        .json();
    assert_eq!(listed["links"][0]["barcode"], "BOX-2", "{listed}");
    let cli_links = cli_ok(&dir, &["catalog", "links"]);
    assert!(String::from_utf8_lossy(&cli_links.stdout).contains("\"barcode\":\"BOX-2\""));
    let export: Value =
        serde_json::from_slice(&cli_ok(&dir, &["catalog", "export"]).stdout).unwrap();
    let exported = export["barcodes"].as_array().unwrap();
    assert!(
        exported
            .iter()
            .any(|b| b["barcode"] == "BOX-2" && b["barcodeType"] == "LINK")
    );
    let removed = server.request_as(
        Some(&format!("Bearer {admin}")),
        "DELETE",
        "/api/admin/links/VIT-C-1000MG-100CT",
        b"",
    );
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(server.scan(&json!({"barcode_data": "BOX-2"})).status, 404);

    // From the command line, with the same rules.
    let refused = cli(
        &dir,
        &[
            "catalog",
            "link",
            "4006381333931",
            "--sku",
            "STABILO-68-BLACK",
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("plugin gtin recognises"));
    cli_ok(
        &dir,
        &["catalog", "link", "BOX-3", "--sku", "STABILO-68-BLACK"],
    );
    assert_eq!(
        server.get("/api/barcode/lookup/BOX-3").json()["product"]["sku"],
        "STABILO-68-BLACK"
    );
    cli_ok(&dir, &["catalog", "unlink", "STABILO-68-BLACK"]);
    assert_eq!(server.get("/api/barcode/lookup/BOX-3").status, 404);
}

#[test]
fn an_operator_may_let_pos_keys_link() {
    let server = Server::start_with(data_dir_with(&[]), &["--demo", "--pos-may-link"]);
    let linked = post(
        &server,
        server.key(),
        "/api/barcode/link",
        &json!({"barcode": "BOX-9", "part": "STABILO-68-BLACK"}),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    let unlinked = post(
        &server,
        server.key(),
        "/api/barcode/unlink",
        &json!({"part": "STABILO-68-BLACK"}),
    );
    assert_eq!(unlinked.status, 200, "{}", unlinked.body);
    // The admin routes stay admin's.
    assert_eq!(server.get("/api/admin/links").status, 403);
}
