//! Plugins that declare what they may claim (the optional `claims` export):
//! a scan instantiates only those whose patterns match, and answers exactly
//! as if every plugin had been asked.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Server, create_key, data_dir_with};

/// The example plugins, in the order `just run` installs them: gtin, gs1
/// and hello declare patterns; ecia and native-qr declare none.
const PLUGINS: [(&str, &str); 5] = [
    ("10-gtin.wasm", "gtin"),
    ("20-gs1.wasm", "gs1"),
    ("30-ecia.wasm", "ecia"),
    ("40-native-qr.wasm", "native_qr"),
    ("90-hello.wasm", "hello"),
];

/// Data of every kind the examples decode or reject, and data none claims.
const CORPUS: [&str; 16] = [
    "4006381333931",
    "4006381333932",
    "]E04006381333931",
    "14006381333938",
    "01234565",
    "96385074",
    "]C1011400638133393810LOT42\u{1d}17271231",
    "\u{1d}0114006381333938",
    "(01)14006381333938(17)271231",
    "https://id.gs1.org/01/14006381333938",
    "[)>\u{1e}06\u{1d}P296-LM358BIDDFRCT-ND\u{1d}1PLM358BIDDFR\u{1d}K\u{1d}1K72991337\u{1d}4LPH\u{1d}Q10\u{1e}\u{4}",
    "{\"barcode\":\"4006381333931\",\"uomCode\":\"EA\"}",
    "HELLO-claims",
    "hello-lowercase",
    "nonsense",
    "12345",
];

#[test]
fn answers_are_the_same_whether_plugins_are_asked_by_their_claims_or_all_of_them() {
    let matching = Server::start_with(data_dir_with(&PLUGINS), &["--demo"]);
    let every = Server::start_with(data_dir_with(&PLUGINS), &["--demo", "--ask-every-plugin"]);
    for data in CORPUS {
        let body = json!({ "barcode_data": data });
        let (a, b) = (matching.scan(&body), every.scan(&body));
        assert_eq!((a.status, a.json()), (b.status, b.json()), "{data:?}");
    }
}

#[test]
fn a_plugin_whose_claims_cannot_match_is_never_instantiated() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]);
    let admin = format!("Bearer {}", create_key(data.path(), "ops", "admin"));
    let server = Server::start(data);
    let listed = || {
        let answer = server.request_as(Some(&admin), "GET", "/api/admin/plugins", b"");
        answer.json()["plugins"].as_array().unwrap().clone()
    };
    let plugins = listed();
    assert_eq!(plugins[0]["name"], "gtin");
    let gtin_claims = plugins[0]["claims"]
        .as_array()
        .expect("gtin declares patterns");
    assert!(!gtin_claims.is_empty());
    for _ in 0..3 {
        let answer = server.scan(&json!({ "barcode_data": "HELLO-x" }));
        assert_eq!(answer.json()["plugin"], "hello");
    }
    assert_eq!(
        server
            .scan(&json!({ "barcode_data": "4006381333931" }))
            .json()["plugin"],
        "gtin"
    );
    // Counts reach the store every 2 s; gtin was asked once, for its EAN.
    let deadline = Instant::now() + Duration::from_secs(10);
    let counts = loop {
        let counts: Vec<Value> = listed().iter().map(|p| p["scans"].clone()).collect();
        if counts == [json!(1), json!(3)] || Instant::now() > deadline {
            break counts;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(counts, [json!(1), json!(3)], "gtin, hello");
    let metrics = server.request_as(Some(&admin), "GET", "/metrics", b"").body;
    let asked_not_mine = metrics
        .lines()
        .filter(|line| line.starts_with("barcoded_plugin_scans_total"))
        .filter(|line| line.contains("plugin=\"gtin\"") && line.contains("not_mine"))
        .count();
    assert_eq!(
        asked_not_mine, 0,
        "gtin was asked about data it does not claim:\n{metrics}"
    );
    assert!(metrics.contains("outcome=\"decoded\""), "{metrics}");
}
