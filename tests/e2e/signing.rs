//! Signed plugins: publishers' keys the operator trusts, a policy that
//! requires their signatures, and the wasmsign2 CLI's format both ways.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Server, TempDir, cli, cli_ok, component, data_dir_with};

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        thread::sleep(Duration::from_millis(50));
    }
}

/// `barcoded plugin keygen` into `dir`: (secret key, public key).
fn keygen(data: &Path, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (secret, public) = (
        dir.join(format!("{name}.secret")),
        dir.join(format!("{name}.public")),
    );
    cli_ok(
        data,
        &[
            "plugin",
            "keygen",
            "--secret-key",
            secret.to_str().unwrap(),
            "--public-key",
            public.to_str().unwrap(),
        ],
    );
    (secret, public)
}

/// `hello` signed by `secret` with `barcoded plugin sign`, as a new file.
fn signed_hello(data: &Path, dir: &Path, secret: &Path, name: &str) -> PathBuf {
    let out = dir.join(format!("{name}.wasm"));
    cli_ok(
        data,
        &[
            "plugin",
            "sign",
            component("hello").to_str().unwrap(),
            "--key",
            secret.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    out
}

fn install_hello(data: &Path, file: &Path) -> std::process::Output {
    cli(
        data,
        &[
            "plugin",
            "install",
            file.to_str().unwrap(),
            "--name",
            "hello",
            "--priority",
            "20",
        ],
    )
}

/// The refusals the running server reports, by plugin.
fn refused(server: &Server, admin: &str) -> Vec<(String, String)> {
    let listed = server.request_as(Some(admin), "GET", "/api/admin/plugins", b"");
    listed.json()["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().into(),
                r["reason"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn winner(server: &Server) -> Value {
    server.scan(&json!({ "barcode_data": "HELLO-x" })).json()["plugin"].clone()
}

#[test]
fn under_require_signed_only_a_trusted_publishers_plugins_install_and_load() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin")]);
    let keys = TempDir::new();
    let (acme, acme_public) = keygen(data.path(), keys.path(), "acme");
    let (other, _) = keygen(data.path(), keys.path(), "other");
    let signed = signed_hello(data.path(), keys.path(), &acme, "by-acme");
    let foreign = signed_hello(data.path(), keys.path(), &other, "by-other");

    // gtin, installed unsigned before the policy, is left out from now on.
    cli_ok(
        data.path(),
        &["trust", "add", "acme", acme_public.to_str().unwrap()],
    );
    cli_ok(data.path(), &["trust", "require", "on"]);
    let listed = cli_ok(data.path(), &["trust", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("acme"));

    let unsigned = install_hello(data.path(), &component("hello"));
    assert!(!unsigned.status.success());
    let said = String::from_utf8_lossy(&unsigned.stderr);
    assert!(
        said.contains("plugin `hello` refused: it is not signed"),
        "{said}"
    );
    let foreign = install_hello(data.path(), &foreign);
    assert!(!foreign.status.success());
    let said = String::from_utf8_lossy(&foreign.stderr);
    assert!(
        said.contains("no trusted publisher signed these bytes"),
        "{said}"
    );
    let installed = install_hello(data.path(), &signed);
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let list = cli_ok(data.path(), &["plugin", "list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    let hello = list.lines().find(|l| l.starts_with("hello")).unwrap();
    assert!(hello.contains(" acme "), "{list}");

    let server = Server::start_with(data, &[]);
    let admin = format!(
        "Bearer {}",
        crate::harness::create_key(server.data_dir(), "ops", "admin")
    );
    assert_eq!(winner(&server), "hello");
    let plugins = server.request_as(Some(&admin), "GET", "/api/admin/plugins", b"");
    let hello = plugins.json()["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hello")
        .cloned()
        .unwrap();
    assert_eq!(hello["signer"], "acme");
    let refusals = refused(&server, &admin);
    assert!(
        refusals
            .iter()
            .any(|(name, reason)| name == "gtin" && reason.contains("it is not signed")),
        "{refusals:?}"
    );

    // Removing the publisher's key takes its plugin out, with the reason.
    cli_ok(server.data_dir(), &["trust", "remove", "acme"]);
    eventually("hello taken out", || {
        refused(&server, &admin).iter().any(|(name, reason)| {
            name == "hello" && reason.contains("signed by acme, whose key is no longer trusted")
        })
    });
    assert_ne!(winner(&server), "hello");

    // Trusted again, it loads again; a byte changed in its stored bytes is
    // refused at the next start.
    cli_ok(
        server.data_dir(),
        &["trust", "add", "acme", acme_public.to_str().unwrap()],
    );
    eventually("hello back", || winner(&server) == "hello");
    let data = server.stop();
    let original = std::fs::read(&signed).unwrap();
    let mut changed = original.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0x01;
    crate::harness::tamper_component(data.path(), &original, &changed);
    let server = Server::start_without_key(data, &[]);
    server.wait_for_log("plugin `hello` refused: its component file does not match its digest");
    assert!(
        refused(&server, &admin)
            .iter()
            .any(|(name, reason)| name == "hello"
                && reason.contains("changed after it was installed")),
        "{:?}",
        refused(&server, &admin)
    );
}

/// The wasmsign2 CLI (`just signing-tool` builds it from crates.io).
fn wasmsign2() -> PathBuf {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/bin/wasmsign2");
    assert!(
        tool.is_file(),
        "{} is missing: run `just signing-tool`",
        tool.display()
    );
    tool
}

fn run(tool: &Path, args: &[&str]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap()
}

#[test]
fn signatures_made_by_wasmsign2_verify_here_and_ours_verify_with_wasmsign2() {
    let tool = wasmsign2();
    let dir = TempDir::new();
    let data = TempDir::new();
    let path = |name: &str| dir.path().join(name);
    let text = |p: &PathBuf| p.to_str().unwrap().to_owned();

    // wasmsign2's key and signature, trusted and installed here.
    let made = run(
        &tool,
        &[
            "keygen",
            "-k",
            &text(&path("ws.secret")),
            "-K",
            &text(&path("ws.public")),
        ],
    );
    assert!(made.status.success(), "{made:?}");
    let signed = run(
        &tool,
        &[
            "sign",
            "-k",
            &text(&path("ws.secret")),
            "-i",
            component("hello").to_str().unwrap(),
            "-o",
            &text(&path("ws-signed.wasm")),
        ],
    );
    assert!(signed.status.success(), "{signed:?}");
    cli_ok(
        data.path(),
        &["trust", "add", "wasmsign2-key", &text(&path("ws.public"))],
    );
    cli_ok(data.path(), &["trust", "require", "on"]);
    let installed = install_hello(data.path(), &path("ws-signed.wasm"));
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let info = cli_ok(data.path(), &["plugin", "info", "hello"]);
    let info: Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["plugin"]["signer"], "wasmsign2-key");

    // Ours, verified by wasmsign2; and a changed byte fails it.
    let (secret, public) = keygen(data.path(), dir.path(), "ours");
    let ours = signed_hello(data.path(), dir.path(), &secret, "ours-signed");
    let verified = run(&tool, &["verify", "-K", &text(&public), "-i", &text(&ours)]);
    assert!(verified.status.success(), "{verified:?}");
    let mut changed = std::fs::read(&ours).unwrap();
    let last = changed.len() - 1;
    changed[last] ^= 0x01;
    std::fs::write(path("changed.wasm"), changed).unwrap();
    let refused = run(
        &tool,
        &[
            "verify",
            "-K",
            &text(&public),
            "-i",
            &text(&path("changed.wasm")),
        ],
    );
    assert!(!refused.status.success(), "{refused:?}");
}

#[test]
#[ignore = "needs PostgreSQL: set BARCODED_TEST_POSTGRES (`just test` does)"]
fn removing_a_publishers_key_takes_its_plugins_out_on_every_node() {
    assert!(crate::harness::on_postgres(), "needs PostgreSQL");
    let data = data_dir_with(&[]);
    let keys = TempDir::new();
    let (acme, acme_public) = keygen(data.path(), keys.path(), "acme");
    let signed = signed_hello(data.path(), keys.path(), &acme, "by-acme");
    cli_ok(
        data.path(),
        &["trust", "add", "acme", acme_public.to_str().unwrap()],
    );
    cli_ok(data.path(), &["trust", "require", "on"]);
    let installed = install_hello(data.path(), &signed);
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let a = Server::start(data);
    let b = a.start_node(&[]);
    let admin = format!(
        "Bearer {}",
        crate::harness::create_key(a.data_dir(), "ops", "admin")
    );
    for node in [&a, &b] {
        eventually("hello answering", || winner(node) == "hello");
    }
    cli_ok(a.data_dir(), &["trust", "remove", "acme"]);
    for node in [&a, &b] {
        eventually("hello taken out", || {
            refused(node, &admin)
                .iter()
                .any(|(name, reason)| name == "hello" && reason.contains("no longer trusted"))
        });
        assert_ne!(winner(node), "hello");
    }
}
