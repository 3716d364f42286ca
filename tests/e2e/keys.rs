//! `/api/admin/keys`: keys handed out and revoked over the API, with an
//! admin key, taking effect at once.

use serde_json::{Value, json};

use crate::harness::{Server, create_key, data_dir_with};

#[test]
fn an_admin_hands_a_till_a_key_over_the_api_and_revokes_it() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin")]);
    let admin = create_key(data.path(), "ops", "admin");
    let server = Server::start_with(data, &["--demo"]);
    let as_admin = |method: &str, path: &str, body: &Value| {
        server.request_as(
            Some(&format!("Bearer {admin}")),
            method,
            path,
            body.to_string().as_bytes(),
        )
    };
    let created = as_admin(
        "POST",
        "/api/admin/keys",
        &json!({"name": "till-7", "role": "pos"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let till = created.json()["key"].as_str().unwrap().to_owned();
    assert!(till.starts_with("bcd_"));
    let scan = |key: &str| {
        server.request_as(
            Some(&format!("Bearer {key}")),
            "POST",
            "/api/barcode/",
            br#"{"barcode_data":"4006381333931"}"#,
        )
    };
    assert_eq!(scan(&till).status, 200);
    // The listing names it and never shows a secret.
    let listed = as_admin("GET", "/api/admin/keys", &Value::Null);
    let listed_text = listed.body.clone();
    assert!(
        listed.json()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["name"] == "till-7" && k["role"] == "pos")
    );
    assert!(!listed_text.contains(&till[4..20]) && !listed_text.contains("digest"));
    // A pos key may not hand out keys; a name in use or a bad one is refused.
    let by_till = server.request_as(
        Some(&format!("Bearer {till}")),
        "POST",
        "/api/admin/keys",
        br#"{"name":"mine","role":"admin"}"#,
    );
    assert_eq!(by_till.status, 403);
    assert_eq!(
        as_admin(
            "POST",
            "/api/admin/keys",
            &json!({"name": "till-7", "role": "pos"})
        )
        .status,
        409
    );
    assert_eq!(
        as_admin(
            "POST",
            "/api/admin/keys",
            &json!({"name": "a b", "role": "pos"})
        )
        .status,
        400
    );
    assert_eq!(
        as_admin(
            "POST",
            "/api/admin/keys",
            &json!({"name": "x", "role": "root"})
        )
        .status,
        400
    );
    // Revoked, it is refused from the next request on.
    assert_eq!(
        as_admin("DELETE", "/api/admin/keys/till-7", &Value::Null).status,
        200
    );
    assert_eq!(scan(&till).status, 401);
    assert_eq!(
        as_admin("DELETE", "/api/admin/keys/till-7", &Value::Null).status,
        404
    );
}
