//! InvenTree's own Python client (the `inventree` package on PyPI, which
//! `just test` installs) against the real server: it probes, checks its
//! user, and scans with `Authorization: Token`.

use std::process::Command;

use serde_json::Value;

use crate::harness::{Server, data_dir_with};

/// Runs InvenTree's client against `server`: connect with the server's key,
/// then scan each of `barcodes`; returns the answers in order.
fn inventree_client_scans(server: &Server, barcodes: &[&str]) -> Vec<Value> {
    let script = r#"
import json, sys
from inventree.api import InvenTreeAPI
api = InvenTreeAPI(sys.argv[1], token=sys.argv[2])
print(json.dumps([api.scanBarcode(data) for data in json.loads(sys.argv[3])]))
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(format!("http://{}/", server.address()))
        .arg(server.key())
        .arg(serde_json::to_string(barcodes).unwrap())
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
