//! `POST /api/barcode/` through real plugins.

use serde_json::json;

use crate::harness::{Server, data_dir_with};

fn gtin_and_hello() -> Server {
    Server::start(data_dir_with(&[
        ("10-gtin.wasm", "gtin"),
        ("20-hello.wasm", "hello"),
    ]))
}

#[test]
fn a_retail_barcode_is_decoded_by_the_gtin_plugin() {
    let server = gtin_and_hello();
    let response = server.scan(&json!({"barcode_data": "4006381333931"}));
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body["plugin"], "gtin");
    assert_eq!(body["barcode_data"], "4006381333931");
    assert_eq!(body["result"]["format"], "EAN-13");
    assert_eq!(body["result"]["lookup_code"], "04006381333931");
    assert_eq!(body["result"]["fields"]["gtin"], "04006381333931");
    assert_eq!(body["diagnostics"], json!([]));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

#[test]
fn the_inventree_field_name_is_accepted_too() {
    let server = gtin_and_hello();
    let response = server.scan(&json!({"barcode": "036000291452\r\n"}));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["result"]["format"], "UPC-A");
    assert_eq!(response.json()["barcode_data"], "036000291452");
}

#[test]
fn a_wrong_check_digit_answers_with_the_plugins_error() {
    let server = gtin_and_hello();
    let response = server.scan(&json!({"barcode_data": "4006381333932"}));
    assert_eq!(response.status, 422, "{}", response.body);
    let body = response.json();
    assert_eq!(body["plugin"], "gtin");
    assert_eq!(body["format"], "EAN-13");
    assert_eq!(body["reason"], "check digit is 2, expected 1");
    assert_eq!(
        body["error"],
        "Invalid EAN-13 barcode: check digit is 2, expected 1"
    );
}

#[test]
fn nonsense_answers_no_match() {
    let server = gtin_and_hello();
    let response = server.scan(&json!({"barcode_data": "nonsense"}));
    assert_eq!(response.status, 404, "{}", response.body);
    let body = response.json();
    assert_eq!(body["error"], "No match found for barcode data");
    assert_eq!(body["barcode_data"], "nonsense");
}

#[test]
fn control_characters_reach_plugins_and_come_back_intact() {
    let server = gtin_and_hello();
    let data = "HELLO-\u{1d}gs\u{1e}rs\u{4}";
    let response = server.scan(&json!({ "barcode_data": data }));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["barcode_data"], data);
    assert_eq!(
        response.json()["result"]["fields"]["name"],
        "\u{1d}gs\u{1e}rs\u{4}"
    );
    // In the log the plugin's control characters are escaped, not written raw.
    server.wait_for_log(r"[hello] stdout: hello, \u{1d}gs\u{1e}rs\u{4}!");
}

#[test]
fn a_plugins_printed_line_reaches_the_server_log_tagged_with_its_name() {
    let server = gtin_and_hello();
    let response = server.scan(&json!({"barcode_data": "HELLO-e2e"}));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["plugin"], "hello");
    server.wait_for_log("[hello] stdout: hello, e2e!");
}

#[test]
fn when_two_plugins_match_the_first_in_priority_order_wins() {
    let first_wins = Server::start(data_dir_with(&[
        ("10-first.wasm", "hello"),
        ("20-second.wasm", "hello"),
    ]));
    let response = first_wins.scan(&json!({"barcode_data": "HELLO-order"}));
    assert_eq!(response.json()["plugin"], "first", "{}", response.body);

    let second_wins = Server::start(data_dir_with(&[
        ("30-first.wasm", "hello"),
        ("20-second.wasm", "hello"),
    ]));
    let response = second_wins.scan(&json!({"barcode_data": "HELLO-order"}));
    assert_eq!(response.json()["plugin"], "second", "{}", response.body);
}

#[test]
fn a_rejection_does_not_stop_a_later_plugin_from_matching() {
    // `hello` refuses a bare "HELLO-"; a second copy behind it refuses too, so
    // the answer is the first plugin's rejection, not the second's.
    let server = Server::start(data_dir_with(&[
        ("10-a.wasm", "hello"),
        ("20-b.wasm", "hello"),
    ]));
    let response = server.scan(&json!({"barcode_data": "HELLO-"}));
    assert_eq!(response.status, 422, "{}", response.body);
    assert_eq!(response.json()["plugin"], "a");
}

#[test]
fn bad_requests_get_a_400_with_a_json_error() {
    let server = gtin_and_hello();
    let cases: [(&[u8], &str); 7] = [
        (b"{not json", "Request body is not valid JSON"),
        (b"", "Request body is not valid JSON"),
        (b"[\"4006381333931\"]", "Request body must be a JSON object"),
        (b"{}", "Missing barcode data"),
        (
            b"{\"barcode_data\": 4006381333931}",
            "`barcode_data` must be a string",
        ),
        (b"{\"barcode_data\": \"  \"}", "`barcode_data` is empty"),
        (b"{\"barcode\": \"\"}", "`barcode` is empty"),
    ];
    for (body, error) in cases {
        let response = server.request("POST", "/api/barcode/", body);
        assert_eq!(response.status, 400, "{}", response.body);
        let message = response.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.starts_with(error),
            "{message:?} should start with {error:?}"
        );
    }
}

#[test]
fn oversized_input_is_refused_without_harm() {
    let server = gtin_and_hello();
    let huge_body = vec![b'9'; 1 << 20];
    let response = server.request("POST", "/api/barcode/", &huge_body);
    assert_eq!(response.status, 413, "{}", response.body);
    assert!(
        response.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("Request body is larger than")
    );

    let too_long = "9".repeat(4096);
    let response = server.scan(&json!({ "barcode_data": too_long }));
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(
        response.body.contains("over the limit of 4095"),
        "{}",
        response.body
    );

    // The server is still serving.
    assert_eq!(
        server
            .scan(&json!({"barcode_data": "4006381333931"}))
            .status,
        200
    );
}

#[test]
fn other_methods_and_paths_are_refused_in_json() {
    let server = gtin_and_hello();
    let response = server.request("GET", "/api/barcode/", b"");
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("POST"));
    assert!(response.json()["error"].is_string());

    let response = server.request("GET", "/nowhere", b"");
    assert_eq!(response.status, 404);
    assert_eq!(response.json(), json!({"error": "Not found"}));

    let response = server.request("GET", "/api/health", b"");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({"status": "ok", "store": "ok", "plugins": 2, "refused": 0, "quarantined": 0})
    );
}

#[test]
fn with_no_plugins_the_server_still_starts_and_answers_no_match() {
    let server = Server::start(data_dir_with(&[]));
    server.wait_for_log("no plugins are enabled");
    let response = server.scan(&json!({"barcode_data": "4006381333931"}));
    assert_eq!(response.status, 404, "{}", response.body);
}
