//! `barcoded scan` and `--help`, run as a user would.

use std::process::Command;

use serde_json::Value;

use crate::harness::{binary, command, data_dir_with};

fn scan(data: &str) -> (bool, Value) {
    let dir = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]);
    let output = command(dir.path())
        .arg("scan")
        .arg(data)
        .output()
        .expect("running barcoded scan");
    let json = serde_json::from_slice(&output.stdout).expect("scan prints JSON on stdout");
    (output.status.success(), json)
}

#[test]
fn scan_prints_the_same_answer_as_the_api() {
    let (ok, answer) = scan("4006381333931");
    assert!(ok);
    assert_eq!(answer["plugin"], "gtin");
    assert_eq!(answer["result"]["lookup_code"], "04006381333931");

    let (ok, answer) = scan("4006381333932");
    assert!(!ok);
    assert_eq!(answer["reason"], "check digit is 2, expected 1");

    let (ok, answer) = scan("nonsense");
    assert!(!ok);
    assert_eq!(answer["error"], "No match found for barcode data");
}

#[test]
fn every_subcommand_has_help() {
    let commands: [&[&str]; 24] = [
        &["--help"],
        &["serve", "--help"],
        &["scan", "--help"],
        &["lookup", "--help"],
        &["key", "--help"],
        &["key", "create", "--help"],
        &["plugin", "--help"],
        &["plugin", "install", "--help"],
        &["plugin", "limits", "--help"],
        &["plugin", "config", "--help"],
        &["catalog", "--help"],
        &["catalog", "import", "--help"],
        &["catalog", "export", "--help"],
        &["catalog", "add-barcode", "--help"],
        &["plugin", "grant", "--help"],
        &["stock", "--help"],
        &["stock", "adjust", "--help"],
        &["order", "--help"],
        &["order", "create", "--help"],
        &["audit", "--help"],
        &["trust", "--help"],
        &["trust", "add", "--help"],
        &["plugin", "sign", "--help"],
        &["config", "check", "--help"],
    ];
    for args in commands {
        let output = Command::new(binary())
            .args(args)
            .output()
            .expect("running barcoded");
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("Usage: barcoded"), "{args:?}: {help}");
    }
}
