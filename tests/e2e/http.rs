//! HTTP conformance: HEAD on every GET route, 405 with `Allow` on every
//! route, and a bound on connections that says what it is.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::harness::{Server, create_key, data_dir_with};

fn server_and_admin_key() -> (Server, String) {
    let server = Server::start_with(data_dir_with(&[("10-gtin.wasm", "gtin")]), &["--demo"]);
    let admin = format!("Bearer {}", create_key(server.data_dir(), "ops", "admin"));
    (server, admin)
}

#[test]
fn head_answers_every_get_route_with_its_headers_and_no_body() {
    let (server, admin) = server_and_admin_key();
    for path in [
        "/api/barcode/lookup/5410317126589",
        "/index.php/apps/shillinq/api/barcode/lookup/5410317126589",
        "/api/barcode/lookup/0000000000000",
        "/api/barcode/qr/product/DV-KAT-SENIOR-2KG",
        "/api/stock/DV-KAT-SENIOR-2KG",
        "/api/barcode/history",
        "/api/health",
        "/api/health/live",
        "/api/health/ready",
        "/api/admin/plugins",
        "/api/admin/plugins/gtin",
        "/api/catalog/products?q=cat",
        "/api/stock",
        "/api/orders",
        "/console/",
        "/console/console.js",
    ] {
        let get = server.request_as(Some(&admin), "GET", path, b"");
        let head = server.request_as(Some(&admin), "HEAD", path, b"");
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(head.body, "", "HEAD {path} sent a body");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {path}"
        );
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "HEAD {path}"
        );
    }
}

#[test]
fn every_route_answers_a_wrong_method_with_405_and_allow() {
    let (server, admin) = server_and_admin_key();
    for (method, path, allow) in [
        ("DELETE", "/api/barcode/lookup/5410317126589", "GET, HEAD"),
        (
            "POST",
            "/index.php/apps/shillinq/api/barcode/lookup/1",
            "GET, HEAD",
        ),
        (
            "PUT",
            "/api/barcode/qr/product/DV-KAT-SENIOR-2KG",
            "GET, HEAD",
        ),
        ("POST", "/api/stock/DV-KAT-SENIOR-2KG", "GET, HEAD"),
        ("GET", "/api/barcode/", "POST"),
        ("PATCH", "/api/barcode", "POST"),
        ("DELETE", "/api/barcode/history", "GET, HEAD"),
        ("POST", "/api/health", "GET, HEAD"),
        ("PUT", "/api/health/ready", "GET, HEAD"),
        ("PUT", "/api/admin/plugins", "GET, HEAD, POST"),
        ("POST", "/api/admin/plugins/gtin", "GET, HEAD, DELETE"),
        ("GET", "/api/admin/plugins/gtin/enable", "POST"),
        ("PUT", "/api/admin/plugins/gtin/disable", "POST"),
        ("POST", "/api/admin/plugins/gtin/limits", "PUT"),
        ("GET", "/api/admin/plugins/gtin/grants", "PUT"),
        ("POST", "/api/catalog/products", "GET, HEAD"),
        ("DELETE", "/api/stock", "GET, HEAD, POST"),
        ("PUT", "/api/orders", "GET, HEAD, POST"),
        ("GET", "/api/orders/PO-1/receipts", "POST"),
        ("GET", "/api/catalog/products/DV-KAT-SENIOR-2KG", "PUT"),
        ("DELETE", "/api/catalog/barcodes", "POST"),
        (
            "POST",
            "/api/catalog/barcodes/2f1c8a3e-6b1d-4c55-9a57-0d6f3b2a9e01",
            "PUT",
        ),
        (
            "GET",
            "/api/catalog/barcodes/2f1c8a3e-6b1d-4c55-9a57-0d6f3b2a9e01/deactivate",
            "POST",
        ),
        ("POST", "/console/", "GET, HEAD"),
        ("POST", "/", "GET, HEAD"),
    ] {
        let response = server.request_as(Some(&admin), method, path, b"");
        assert_eq!(response.status, 405, "{method} {path}: {}", response.body);
        assert_eq!(response.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(
            response.json()["error"],
            format!("Method not allowed: use {allow}")
        );
    }
    let unknown = server.request_as(Some(&admin), "GET", "/api/admin/plugins/gtin/nothing", b"");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

/// Opens a connection to `address` that sends a request head, `Content-Length:
/// 100`, and no body: a request in flight until the body timeout. Returns
/// once the server asked for the body (`100 Continue`), so it holds it.
fn request_in_flight(address: &str, key: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).unwrap();
    let head = format!(
        "POST /api/barcode/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream
}

/// One `GET /api/health` on `stream`, kept alive; the response's head.
fn health_on(stream: &mut (impl Read + Write)) -> String {
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_response(stream)
}

/// Reads one response with a `content-length` from `stream`; its head.
fn read_response(stream: &mut impl Read) -> String {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            other => panic!("the connection ended mid-response ({other:?}): {raw:?}"),
        }
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    head
}

#[test]
fn with_a_request_in_flight_on_every_connection_the_next_is_answered_503_with_the_limit() {
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        &["--max-connections", "2"],
    );
    let address = server.address();
    let busy: Vec<TcpStream> = (0..2)
        .map(|_| request_in_flight(address, server.key()))
        .collect();
    // Both waiting for their bodies, the next connection is refused.
    let mut next = TcpStream::connect(address).unwrap();
    next.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = next.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    let _ = next.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(
        answer.contains("The server has 2 connections open, its limit; retry shortly"),
        "{answer}"
    );
    drop(busy);
    // Once they close, the server takes connections again.
    let mut retried = None;
    for _ in 0..50 {
        let response = server.get("/api/health");
        if response.status == 200 {
            retried = Some(response);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        retried.is_some(),
        "the server never took a connection again"
    );
}

#[test]
fn connections_quiet_mid_head_make_room_for_new_clients_and_keep_alive_ones_stay() {
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        // Long enough that no quiet client is dropped for its timeout
        // while the test opens them all on a loaded machine.
        &["--metrics-listen", "127.0.0.1:0", "--head-timeout", "120s"],
    );
    let metrics = server.wait_for_log("metrics on http://");
    let metrics = metrics
        .split("metrics on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let evicted = || {
        let mut stream = TcpStream::connect(&metrics).unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text.lines()
            .find_map(|line| {
                line.strip_prefix("barcoded_connections_closed_total{reason=\"evicted_unproven\"} ")
            })
            .map_or(0, |count| count.trim().parse::<u64>().unwrap())
    };
    // A till's connection that finished a request and stays open.
    let mut till = TcpStream::connect(server.address()).unwrap();
    till.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(health_on(&mut till).starts_with("HTTP/1.1 200 "));
    // 1,100 clients that send half a request head and go quiet: more than
    // the 1,024 connections the server keeps.
    let quiet: Vec<TcpStream> = (0..1100)
        .map(|_| {
            let mut stream = TcpStream::connect(server.address()).unwrap();
            stream
                .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            stream
        })
        .collect();
    // Once the server took them all, the oldest made room for the youngest.
    let mut seen = 0;
    for _ in 0..300 {
        seen = evicted();
        if seen >= 1100 + 1 - 1024 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(seen > 1100 - 1024, "only {seen} connections made room");
    // A fresh client is answered at once, and the till keeps its connection.
    let started = std::time::Instant::now();
    let fresh = server.get("/api/health");
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a fresh client waited {:?}",
        started.elapsed()
    );
    assert!(health_on(&mut till).starts_with("HTTP/1.1 200 "));
    // The oldest quiet client was dropped, not answered.
    let mut oldest = &quiet[0];
    oldest
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut rest = Vec::new();
    let read = oldest.read_to_end(&mut rest);
    assert!(read.is_err() || rest.is_empty(), "{rest:?}");
}

#[test]
fn a_client_that_sends_no_whole_head_within_five_seconds_is_dropped() {
    let server = Server::start(data_dir_with(&[("10-gtin.wasm", "gtin")]));
    let mut slow = TcpStream::connect(server.address()).unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let read = slow.read_to_end(&mut rest);
    assert!(read.is_ok() && rest.is_empty(), "{read:?} {rest:?}");
    let waited = started.elapsed();
    assert!(
        waited > Duration::from_secs(3) && waited < Duration::from_secs(10),
        "dropped after {waited:?}"
    );
}

/// A TLS connection to `address` that trusts only `ca`.
fn tls_connection(
    address: &str,
    ca: &rcgen::Certificate,
) -> tokio_rustls::rustls::StreamOwned<tokio_rustls::rustls::ClientConnection, TcpStream> {
    use tokio_rustls::rustls::pki_types::ServerName;
    use tokio_rustls::rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let connection = ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let socket = TcpStream::connect(address).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    StreamOwned::new(connection, socket)
}

#[test]
fn sighup_serves_a_renewed_certificate_to_new_connections_and_keeps_open_ones() {
    let dir = crate::harness::TempDir::new();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let write = |certified: &rcgen::CertifiedKey<rcgen::KeyPair>| {
        std::fs::write(&cert, certified.cert.pem()).unwrap();
        std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    };
    let old = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    write(&old);
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    server.wait_for_log("listening on https://");
    let mut open = tls_connection(server.address(), &old.cert);
    assert!(health_on(&mut open).starts_with("HTTP/1.1 200 "));

    // A broken renewal keeps the old certificate.
    std::fs::write(&cert, "not a certificate").unwrap();
    let hangup = || {
        let sent = std::process::Command::new("kill")
            .args(["-HUP", &server.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    hangup();
    server.wait_for_log("kept the previous TLS certificate");
    assert!(
        health_on(&mut tls_connection(server.address(), &old.cert)).starts_with("HTTP/1.1 200 ")
    );

    let renewed = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    write(&renewed);
    hangup();
    server.wait_for_log("reloaded the TLS certificate and key");
    assert!(
        health_on(&mut tls_connection(server.address(), &renewed.cert))
            .starts_with("HTTP/1.1 200 ")
    );
    let mut stale = tls_connection(server.address(), &old.cert);
    let refused = stale.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(
        refused.is_err(),
        "a new connection still got the old certificate"
    );
    // The connection opened before the renewal goes on working.
    assert!(health_on(&mut open).starts_with("HTTP/1.1 200 "));
}

/// One HTTPS request to `address`, trusting only `ca`; returns what came back.
fn https_get(address: &str, ca: &rcgen::Certificate, path: &str, key: &str) -> String {
    let mut tls = tls_connection(address, ca);
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    // A peer that closes without close_notify still delivered its answer.
    let _ = tls.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn with_a_certificate_the_server_speaks_only_https() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = crate::harness::TempDir::new();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        &[
            "--demo",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    server.wait_for_log("listening on https://");
    let answer = https_get(
        server.address(),
        &certified.cert,
        "/api/barcode/lookup/5410317126589",
        server.key(),
    );
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("DV-KAT-SENIOR-2KG"), "{answer}");

    // Plain HTTP gets no answer in clear text, and the server carries on.
    let mut plain = TcpStream::connect(server.address()).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = plain.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut reply = Vec::new();
    let _ = plain.read_to_end(&mut reply);
    assert!(!String::from_utf8_lossy(&reply).contains("HTTP/1.1 200"));
    let answer = https_get(
        server.address(),
        &certified.cert,
        "/api/health",
        server.key(),
    );
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[test]
fn a_certificate_without_its_key_is_refused_at_start() {
    let output = crate::harness::cli(
        crate::harness::TempDir::new().path(),
        &["serve", "--tls-cert", "cert.pem"],
    );
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("--tls-key"), "{said}");
}

#[test]
fn a_request_head_over_its_limit_is_answered_431() {
    let server = Server::start(data_dir_with(&[("10-gtin.wasm", "gtin")]));
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let padding = "x".repeat(20 << 10);
    let head = format!("GET /api/health?{padding} HTTP/1.1\r\nHost: x\r\n\r\n");
    let _ = stream.write_all(head.as_bytes());
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    assert_eq!(server.get("/api/health").status, 200);
}
