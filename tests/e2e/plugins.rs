//! `barcoded plugin`: install, order, configure and remove plugins while the
//! server runs, and what it refuses.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Server, TempDir, cli, cli_ok, component, create_key, data_dir_with, install};

/// Polls `check` until it holds, for up to five seconds.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        thread::sleep(Duration::from_millis(50));
    }
}

fn winner(server: &Server, data: &str) -> Value {
    server.scan(&json!({ "barcode_data": data })).json()["plugin"].clone()
}

fn run(server: &Server, args: &[&str]) -> String {
    String::from_utf8_lossy(&cli_ok(server.data_dir(), args).stderr).into_owned()
}

/// The same component with a custom section appended: new bytes (a new
/// digest), the same behaviour, as a rebuilt plugin would be.
fn rebuilt(name: &str, generation: u8) -> Vec<u8> {
    let mut bytes = std::fs::read(component(name)).unwrap();
    let section_name = b"rebuild";
    let payload = [generation; 8];
    let size = 1 + section_name.len() + payload.len();
    bytes.extend_from_slice(&[0, size as u8, section_name.len() as u8]);
    bytes.extend_from_slice(section_name);
    bytes.extend_from_slice(&payload);
    bytes
}

#[test]
fn a_plugin_installed_while_serving_answers_the_next_scans() {
    let server = Server::start(data_dir_with(&[("10-gtin.wasm", "gtin")]));
    assert_eq!(
        server.scan(&json!({"barcode_data": "HELLO-new"})).status,
        404
    );
    let started = Instant::now();
    install(server.data_dir(), "20-hello.wasm", "hello");
    eventually("the new plugin answering", || {
        winner(&server, "HELLO-new") == "hello"
    });
    eprintln!(
        "installed plugin answered {:?} after the install",
        started.elapsed()
    );
    server.wait_for_log("plugins reloaded");
}

#[test]
fn reordering_disabling_and_removing_change_who_answers() {
    let server = Server::start(data_dir_with(&[
        ("10-first.wasm", "hello"),
        ("20-second.wasm", "hello"),
    ]));
    assert_eq!(winner(&server, "HELLO-x"), "first");
    run(&server, &["plugin", "priority", "first", "30"]);
    eventually("second to win after reordering", || {
        winner(&server, "HELLO-x") == "second"
    });
    run(&server, &["plugin", "disable", "second"]);
    eventually("first to win with second disabled", || {
        winner(&server, "HELLO-x") == "first"
    });
    run(&server, &["plugin", "enable", "second"]);
    eventually("second to win once enabled", || {
        winner(&server, "HELLO-x") == "second"
    });
    run(&server, &["plugin", "remove", "second"]);
    eventually("first to win once second is removed", || {
        winner(&server, "HELLO-x") == "first"
    });
    let list = cli(server.data_dir(), &["plugin", "list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("first") && !list.contains("second"), "{list}");
}

#[test]
fn an_upgrade_under_load_loses_no_request() {
    let server = Server::start(data_dir_with(&[("10-greeter.wasm", "hello")]));
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        let load: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let mut answered = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let response = server.scan(&json!({"barcode_data": "HELLO-load"}));
                        assert_eq!(response.status, 200, "{}", response.body);
                        assert_eq!(response.json()["plugin"], "greeter");
                        answered += 1;
                    }
                    answered
                })
            })
            .collect();
        let dir = TempDir::new();
        for generation in 1..=3 {
            let file = dir.path().join(format!("hello-{generation}.wasm"));
            std::fs::write(&file, rebuilt("hello", generation)).unwrap();
            let said = run(
                &server,
                &[
                    "plugin",
                    "install",
                    file.to_str().unwrap(),
                    "--name",
                    "greeter",
                ],
            );
            assert!(said.contains("Upgraded plugin greeter"), "{said}");
            thread::sleep(Duration::from_millis(700));
        }
        stop.store(true, Ordering::Relaxed);
        let answered: usize = load.into_iter().map(|t| t.join().unwrap()).sum();
        assert!(
            answered > 30,
            "only {answered} scans ran during the upgrades"
        );
    });
    let info: Value =
        serde_json::from_slice(&cli(server.data_dir(), &["plugin", "info", "greeter"]).stdout)
            .unwrap();
    assert_eq!(info["plugin"]["digest"].as_str().unwrap().len(), 64);
}

#[test]
fn bad_components_are_refused_at_install_each_with_its_own_message() {
    let data = TempDir::new();
    let junk = data.path().join("junk.wasm");
    std::fs::write(&junk, b"\0asm not really").unwrap();
    let oversized = data.path().join("big.wasm");
    std::fs::write(&oversized, vec![0u8; 49 << 20]).unwrap();
    let refusals = [
        (junk, "not a valid WebAssembly component"),
        (
            oversized,
            "it is 51380224 bytes, over the 50331648-byte limit",
        ),
        (
            component("wrong_world"),
            "it does not implement the barcode:plugin@0.1.0 world: no exported instance named `barcode:plugin/decoder@0.1.0`",
        ),
        (
            component("extra_import"),
            "it imports something the sandbox does not provide: component imports instance `test:spy/host@1.0.0`",
        ),
        (
            component("hostile_init"),
            "its `info` export trapped: wasm trap: wasm `unreachable` instruction executed",
        ),
    ];
    for (file, message) in refusals {
        let output = cli(
            data.path(),
            &[
                "plugin",
                "install",
                file.to_str().unwrap(),
                "--name",
                "candidate",
            ],
        );
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("plugin `candidate` refused: {message}")),
            "{stderr}"
        );
    }
    let list = cli(data.path(), &["plugin", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        1,
        "only the header"
    );
}

#[test]
fn installing_identical_bytes_twice_changes_nothing_and_says_so() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin")]);
    let again = install(data.path(), "10-gtin.wasm", "gtin");
    assert!(again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("already has these exact bytes installed; nothing changed"),
        "{stderr}"
    );
}

#[test]
fn an_operators_settings_reach_the_plugin_through_config() {
    let server = Server::start(data_dir_with(&[("10-hello.wasm", "hello")]));
    let greeting = || {
        server.scan(&json!({"barcode_data": "HELLO-site"})).json()["result"]["fields"]["greeting"]
            .clone()
    };
    assert_eq!(greeting(), "hello");
    run(&server, &["plugin", "config", "hello", "greeting=hoi"]);
    eventually("the new setting", || greeting() == "hoi");
    server.wait_for_log("[hello] stdout: hoi, site!");
    run(
        &server,
        &["plugin", "config", "hello", "--unset", "greeting"],
    );
    eventually("the setting removed", || greeting() == "hello");
}

#[test]
fn damaged_files_are_caught_at_start_up() {
    let data = data_dir_with(&[("10-hello.wasm", "hello"), ("50-gtin.wasm", "gtin")]);
    let digest = |name: &str| {
        let info: Value =
            serde_json::from_slice(&cli(data.path(), &["plugin", "info", name]).stdout).unwrap();
        info["plugin"]["digest"].as_str().unwrap().to_owned()
    };
    let (hello, gtin) = (digest("hello"), digest("gtin"));
    // A changed component is refused; a changed code cache is recompiled.
    let cache = data.path().join("cache");
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(&hello) {
            std::fs::remove_file(&path).unwrap();
        } else if name.starts_with(&gtin) {
            let mut bytes = std::fs::read(&path).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let original = std::fs::read(component("hello")).unwrap();
    let mut bytes = original.clone();
    bytes.push(0);
    crate::harness::tamper_component(data.path(), &original, &bytes);

    let server = Server::start(data);
    server.wait_for_log(
        "plugin `hello` refused: its component file does not match its digest: reinstall it",
    );
    server.wait_for_log("does not match its recorded digest; recompiling");
    assert_eq!(
        server.request("GET", "/api/health", b"").json()["refused"],
        1
    );
    assert_eq!(winner(&server, "4006381333931"), "gtin");
}

#[test]
fn plugin_list_counts_scans_and_failures() {
    let server = Server::start(data_dir_with(&[
        ("10-hostile-loop.wasm", "hostile_loop"),
        ("50-gtin.wasm", "gtin"),
    ]));
    for _ in 0..3 {
        assert_eq!(winner(&server, "4006381333931"), "gtin");
    }
    eventually("counts in the registry", || {
        let list = cli(server.data_dir(), &["plugin", "list"]);
        let list = String::from_utf8_lossy(&list.stdout).into_owned();
        let row = |name: &str| {
            list.lines()
                .find(|l| l.starts_with(name))
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
        };
        matches!((row("hostile-loop"), row("gtin")), (Some(h), Some(g)) if h[5] == "3" && h[6] == "3" && g[5] == "3" && g[6] == "0")
    });
}

#[test]
fn the_admin_api_manages_plugins_for_admin_keys_only() {
    let server = Server::start(data_dir_with(&[("10-gtin.wasm", "gtin")]));
    let admin = format!("Bearer {}", create_key(server.data_dir(), "ops", "admin"));
    let admin = Some(admin.as_str());

    let forbidden = server.request("GET", "/api/admin/plugins", b"");
    assert_eq!(forbidden.status, 403, "a pos key: {}", forbidden.body);

    let hello = std::fs::read(component("hello")).unwrap();
    let installed = server.request_as(
        admin,
        "POST",
        "/api/admin/plugins?name=hello&priority=20",
        &hello,
    );
    assert_eq!(installed.status, 201, "{}", installed.body);
    assert_eq!(installed.json()["result"], "installed");
    eventually("the plugin installed over HTTP answering", || {
        winner(&server, "HELLO-api") == "hello"
    });

    let again = server.request_as(admin, "POST", "/api/admin/plugins?name=hello", &hello);
    assert_eq!(again.json()["result"], "unchanged");

    let priority = server.request_as(
        admin,
        "PUT",
        "/api/admin/plugins/hello/priority",
        br#"{"priority": 5}"#,
    );
    assert_eq!(priority.json()["plugin"]["priority"], 5);
    let config = server.request_as(
        admin,
        "PUT",
        "/api/admin/plugins/hello/config",
        br#"{"greeting": "moin"}"#,
    );
    assert_eq!(config.status, 200, "{}", config.body);
    eventually("the setting made over HTTP", || {
        server.scan(&json!({"barcode_data": "HELLO-api"})).json()["result"]["fields"]["greeting"]
            == "moin"
    });

    let disabled = server.request_as(admin, "POST", "/api/admin/plugins/hello/disable", b"");
    assert_eq!(disabled.json()["plugin"]["enabled"], false);
    eventually("the disabled plugin gone quiet", || {
        server.scan(&json!({"barcode_data": "HELLO-api"})).status == 404
    });

    let junk = server.request_as(admin, "POST", "/api/admin/plugins?name=junk", b"\0asm nope");
    assert_eq!(junk.status, 422);
    assert!(
        junk.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a valid WebAssembly component")
    );

    assert_eq!(
        server
            .request_as(admin, "DELETE", "/api/admin/plugins/hello", b"")
            .status,
        200
    );
    assert_eq!(
        server
            .request_as(admin, "DELETE", "/api/admin/plugins/hello", b"")
            .status,
        404
    );
    let list = server
        .request_as(admin, "GET", "/api/admin/plugins", b"")
        .json();
    let names: Vec<&str> = list["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gtin"]);
}

#[test]
fn a_component_cannot_take_over_an_installed_plugin_by_its_name() {
    let data = data_dir_with(&[("50-kanban.wasm", "kanban")]);
    // po-receive is held but never used by kanban's imports.
    cli_ok(
        data.path(),
        &["plugin", "grant", "kanban", "stock-write", "po-receive"],
    );
    let impostor = component("impostor");
    let impostor = impostor.to_str().unwrap();

    let refused = cli(data.path(), &["plugin", "install", impostor]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("a plugin named kanban (0.1.0) is already installed")
            && said.contains("pass --upgrade (or --name kanban)"),
        "{said}"
    );
    let info: Value =
        serde_json::from_slice(&cli_ok(data.path(), &["plugin", "info", "kanban"]).stdout).unwrap();
    assert_eq!(info["plugin"]["info"]["version"], "0.1.0", "{info}");

    let upgraded = cli_ok(data.path(), &["plugin", "install", impostor, "--upgrade"]);
    let said = String::from_utf8_lossy(&upgraded.stderr);
    assert!(
        said.contains("Upgraded plugin kanban from 0.1.0 to 9.9.9"),
        "{said}"
    );
    assert!(
        said.contains("Not carried over: po-receive, which version 0.1.0 held but never used."),
        "{said}"
    );
    let info: Value =
        serde_json::from_slice(&cli_ok(data.path(), &["plugin", "info", "kanban"]).stdout).unwrap();
    assert_eq!(info["plugin"]["grants"], json!(["stock-write"]), "{info}");
    assert_eq!(info["plugin"]["asks"], json!(["po-receive"]), "{info}");
}

#[test]
fn over_the_admin_api_an_upgrade_by_the_components_own_name_needs_upgrade_true() {
    let server = Server::start(data_dir_with(&[("50-kanban.wasm", "kanban")]));
    cli_ok(
        server.data_dir(),
        &["plugin", "grant", "kanban", "po-receive"],
    );
    let admin = format!("Bearer {}", create_key(server.data_dir(), "ops", "admin"));
    let impostor = std::fs::read(component("impostor")).unwrap();

    let refused = server.request_as(Some(&admin), "POST", "/api/admin/plugins", &impostor);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains("a plugin named kanban (0.1.0) is already installed"),
        "{}",
        refused.body
    );
    let upgraded = server.request_as(
        Some(&admin),
        "POST",
        "/api/admin/plugins?upgrade=true",
        &impostor,
    );
    assert_eq!(upgraded.status, 200, "{}", upgraded.body);
    assert_eq!(upgraded.json()["result"], "upgraded");
    assert_eq!(upgraded.json()["withheld_grants"], json!(["po-receive"]));
    assert_eq!(upgraded.json()["plugin"]["grants"], json!([]));
}

#[test]
fn the_plugin_list_shows_counts_quarantine_and_plugins_refused_at_load() {
    let data = data_dir_with(&[("10-gtin.wasm", "gtin"), ("20-hello.wasm", "hello")]);
    let admin = format!("Bearer {}", create_key(data.path(), "ops", "admin"));
    // hello's stored component no longer holds what was installed.
    let hello = std::fs::read(component("hello")).unwrap();
    crate::harness::tamper_component(data.path(), &hello, b"\0asm tampered");
    // Nor is it in the code cache, which would load the compiled original.
    std::fs::remove_dir_all(data.path().join("cache")).unwrap();
    let server = Server::start(data);
    server.scan(&json!({ "barcode_data": "4006381333931" }));

    let list = |server: &Server| {
        let answer = server.request_as(Some(&admin), "GET", "/api/admin/plugins", b"");
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    };
    let answer = list(&server);
    let refused = &answer["refused"];
    assert_eq!(refused.as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(refused[0]["name"], "hello");
    assert!(!refused[0]["reason"].as_str().unwrap().is_empty());
    let gtin = &answer["plugins"][0];
    assert_eq!(
        (&gtin["name"], &gtin["failures"], &gtin["quarantine"]),
        (&json!("gtin"), &json!(0), &Value::Null)
    );
    eventually("the scan counted (counts are flushed every 2 s)", || {
        list(&server)["plugins"][0]["scans"] == 1
    });
}
