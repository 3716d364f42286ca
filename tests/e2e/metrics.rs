//! `GET /metrics` after known traffic: the counters and histograms moved by
//! exactly what was sent, and the text parses as OpenMetrics with the
//! Prometheus project's own parser (PyPI's prometheus-client).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::harness::{Response, Server, create_key, data_dir_with};

/// Every sample of the exposition, `name{labels}` to value, as parsed by
/// prometheus-client's OpenMetrics parser (which refuses malformed text).
fn parse(text: &str) -> BTreeMap<String, f64> {
    let script = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
samples = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        samples[f"{s.name}{{{labels}}}"] = s.value
print(json.dumps(samples))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (with prometheus-client, which `just test` installs)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "not valid OpenMetrics text: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    let samples: BTreeMap<String, Value> = serde_json::from_slice(&output.stdout).unwrap();
    samples
        .into_iter()
        .map(|(k, v)| (k, v.as_f64().unwrap()))
        .collect()
}

fn sample(samples: &BTreeMap<String, f64>, key: &str) -> f64 {
    *samples
        .get(key)
        .unwrap_or_else(|| panic!("no sample {key} in {samples:#?}"))
}

fn scrape(server: &Server, admin: &str) -> BTreeMap<String, f64> {
    let response = server.request_as(Some(&format!("Bearer {admin}")), "GET", "/metrics", b"");
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    parse(&response.body)
}

#[test]
fn metrics_count_known_traffic_and_parse_as_openmetrics() {
    let data = data_dir_with(&[
        ("5-hostile-loop.wasm", "hostile_loop"),
        ("10-gtin.wasm", "gtin"),
        ("90-hello.wasm", "hello"),
    ]);
    let admin = create_key(data.path(), "monitoring", "admin");
    let server = Server::start_with(data, &["--demo", "--quarantine-after", "2"]);
    let before = scrape(&server, &admin);
    // The plugins came from the code cache that install wrote.
    assert_eq!(sample(&before, "barcoded_code_cache_hits_total{}"), 3.0);
    assert_eq!(sample(&before, "barcoded_code_cache_misses_total{}"), 0.0);

    for (data, status) in [
        ("4006381333931", 200),
        ("4006381333931", 200),
        ("4006381333931", 200),
        ("4006381333932", 422),
        ("nonsense", 404),
        ("nonsense", 404),
        ("HELLO-metrics", 200),
    ] {
        let response = server.scan(&json!({ "barcode_data": data }));
        assert_eq!(response.status, status, "{}", response.body);
    }
    assert_eq!(server.get("/api/barcode/lookup/4006381333931").status, 200);
    assert_eq!(server.get("/api/barcode/lookup/0000000000000").status, 404);

    let after = scrape(&server, &admin);
    let text = server
        .request_as(Some(&format!("Bearer {admin}")), "GET", "/metrics", b"")
        .body;
    assert_eq!(
        undocumented(&text),
        Vec::<String>::new(),
        "the README misses these"
    );
    let scans = |plugin: &str, outcome: &str| {
        sample(
            &after,
            &format!("barcoded_plugin_scans_total{{outcome=\"{outcome}\",plugin=\"{plugin}\"}}"),
        )
    };
    assert_eq!(scans("gtin", "decoded"), 3.0);
    assert_eq!(scans("gtin", "invalid"), 1.0);
    assert_eq!(scans("hello", "decoded"), 1.0);
    // gtin and hello declare what they claim: neither was asked about the
    // other's data or about "nonsense".
    for plugin in ["gtin", "hello"] {
        let key =
            format!("barcoded_plugin_scans_total{{outcome=\"not_mine\",plugin=\"{plugin}\"}}");
        assert_eq!(
            after.get(&key),
            None,
            "{plugin} was asked about data it does not claim"
        );
    }
    // hostile-loop failed twice on its CPU limit, was quarantined, then skipped.
    assert_eq!(scans("hostile-loop", "failed"), 2.0);
    assert_eq!(
        sample(
            &after,
            "barcoded_plugin_limits_total{limit=\"cpu-time\",plugin=\"hostile-loop\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(
            &after,
            "barcoded_plugin_quarantines_total{plugin=\"hostile-loop\"}"
        ),
        1.0
    );
    // Histograms: one observation per scan, per instance, per call, per lookup.
    assert_eq!(sample(&after, "barcoded_scan_seconds_count{}"), 7.0);
    assert!(sample(&after, "barcoded_scan_seconds_sum{}") > 0.0);
    assert_eq!(
        sample(
            &after,
            "barcoded_plugin_instantiate_seconds_count{plugin=\"gtin\"}"
        ),
        4.0
    );
    assert_eq!(
        sample(
            &after,
            "barcoded_plugin_call_seconds_count{plugin=\"hello\"}"
        ),
        1.0
    );
    assert_eq!(sample(&after, "barcoded_lookup_seconds_count{}"), 2.0);
    let requests = |route: &str, status: u16| {
        sample(
            &after,
            &format!("barcoded_http_requests_total{{route=\"{route}\",status=\"{status}\"}}"),
        )
    };
    assert_eq!(requests("/api/barcode/", 200), 4.0);
    assert_eq!(requests("/api/barcode/", 422), 1.0);
    assert_eq!(requests("/api/barcode/", 404), 2.0);
    assert_eq!(requests("/api/barcode/lookup/{code}", 200), 1.0);
    assert_eq!(requests("/api/barcode/lookup/{code}", 404), 1.0);
    // The first scrape is counted once it was answered.
    assert_eq!(requests("/metrics", 200), 1.0);
    assert!(sample(&after, "barcoded_store_bytes{}") > 0.0);
    assert!(sample(&after, "barcoded_history_queue{}") >= 0.0);
}

#[test]
fn metrics_need_an_admin_key_or_their_own_address() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin")]);
    let server = Server::start_with(data, &["--metrics-listen", "127.0.0.1:0"]);
    // The API's address: a pos key is refused, no key is 401.
    assert_eq!(server.get("/metrics").status, 403);
    assert_eq!(server.request_as(None, "GET", "/metrics", b"").status, 401);
    // The metrics address: no key needed, and nothing else served.
    let line = server.wait_for_log("metrics on http://");
    let address = line
        .split("metrics on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let get = |path: &str| {
        let mut stream = TcpStream::connect(&address).unwrap();
        let head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    };
    let metrics = get("/metrics");
    assert_eq!(metrics.status, 200);
    parse(&metrics.body);
    assert_eq!(get("/api/barcode/lookup/4006381333931").status, 404);
}

#[test]
fn json_logs_carry_the_scan_id_the_plugin_and_the_key_name_never_the_key() {
    let data = data_dir_with(&[("90-hello.wasm", "hello")]);
    let server = Server::start_with(data, &["--log-format", "json"]);
    let response = server.scan(&json!({ "barcode_data": "HELLO-json" }));
    assert_eq!(response.status, 200, "{}", response.body);
    let line = server.wait_for_log("stdout: hello, json!");
    let entry: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(entry["fields"]["plugin"], "hello", "{entry}");
    assert_eq!(entry["level"], "INFO");
    let span = &entry["spans"][0];
    assert_eq!(span["name"], "scan", "{entry}");
    assert_eq!(span["key"], "e2e");
    assert_eq!(span["scan_id"].as_str().unwrap().len(), 36, "{entry}");
    // Every line is JSON, and none holds the key itself.
    for line in server.log_lines("") {
        serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(!line.contains(server.key()), "{line}");
    }
}

/// The metric families in `text` that the README's metrics table lacks.
fn undocumented(text: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    text.lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .map(|declared| {
            let (name, kind) = declared.split_once(' ').unwrap();
            // A counter's samples, and its row in the README, end in `_total`.
            if kind == "counter" {
                format!("{name}_total")
            } else {
                name.to_owned()
            }
        })
        .filter(|family| !readme.contains(&format!("| `{family}` |")))
        .collect()
}
