//! barcoded.toml: settings from a file, under the environment and the
//! flags; unknown keys refused by name; `config check` without secrets.

use serde_json::json;

use crate::harness::{Server, TempDir, binary, cli, data_dir_with};

/// `barcoded config check FILE` with `env` set (and no store from the
/// suite's environment), which must succeed; the table it prints.
fn checked(file: &str, env: &[(&str, &str)]) -> String {
    let output = std::process::Command::new(binary())
        .env_remove("BARCODED_STORE")
        .envs(env.iter().copied())
        .args(["config", "check", file])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_config_file_sets_what_flags_set_under_the_environment_and_the_flags() {
    let dir = TempDir::new();
    let file = dir.path().join("barcoded.toml");
    std::fs::write(
        &file,
        "# a till server\n\
         pos_may_link = true\n\
         max_connections = 2\n\
         history_keep = \"1h\"\n\
         head_timeout = \"9s\"\n\
         listen = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap().to_owned();
    // The file's pos_may_link lets a pos key link (without it: 403); the
    // harness's --listen flag wins over the file's unusable port.
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        &["--config", &file, "--demo"],
    );
    let linked = server.request(
        "POST",
        "/api/barcode/link/",
        json!({"barcode": "BOX-9", "part": "DV-KAT-SENIOR-2KG"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);

    // config check: the effective values and where each came from.
    let table = checked(&file, &[("BARCODED_MAX_CONNECTIONS", "3")]);
    let line = |key: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{key}: {table}"))
            .to_owned()
    };
    assert!(line("history_keep").contains("\"1h\"") && line("history_keep").contains("the file"));
    assert!(
        line("max_connections").contains("\"3\"")
            && line("max_connections").contains("BARCODED_MAX_CONNECTIONS")
    );
    assert!(line("quarantine_after").contains("the default"), "{table}");
}

#[test]
fn an_unknown_key_or_a_bad_value_is_refused_by_name_and_secrets_stay_hidden() {
    let dir = TempDir::new();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let typo = write("typo.toml", "max_conections = 10\n");
    let refused = cli(dir.path(), &["serve", "--config", &typo]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("unknown key `max_conections`; did you mean `max_connections`?"),
        "{said}"
    );
    let bad = write("bad.toml", "max_connections = 0\n");
    let refused = cli(dir.path(), &["config", "check", &bad]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("--max-connections") && said.contains("0"),
        "{said}"
    );
    let secret = write(
        "secret.toml",
        "store = \"postgres://app:s3cret@db.internal:5432/barcoded\"\n",
    );
    let table = checked(&secret, &[]);
    assert!(
        table.contains("postgres://app:***@db.internal:5432/barcoded"),
        "{table}"
    );
    assert!(!table.contains("s3cret"), "{table}");
}

/// Sends SIGHUP and waits for the server's answer to it in the log: the
/// line about the file, and the TLS one that ends each reload.
fn hangup(server: &Server) -> Vec<String> {
    let before = server.log_lines("SIGHUP: ").len();
    let sent = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let lines = server.log_lines("SIGHUP: ");
        if lines.len() > before && lines.last().unwrap().contains("TLS") {
            return lines[before..].to_vec();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no answer to SIGHUP: {lines:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn sighup_rereads_the_file_applies_what_may_change_live_and_names_what_takes_a_restart() {
    let dir = TempDir::new();
    let file = dir.path().join("barcoded.toml");
    let write = |text: &str| std::fs::write(&file, text).unwrap();
    write("pos_may_link = false\nmax_connections = 64\nlisten = \"127.0.0.1:1\"\n");
    let path = file.to_str().unwrap().to_owned();
    let server = Server::start_with(
        data_dir_with(&[("10-gtin.wasm", "gtin")]),
        &["--config", &path, "--demo"],
    );
    let link = |barcode: &str| {
        let body = json!({"barcode": barcode, "part": "DV-KAT-SENIOR-2KG"}).to_string();
        server
            .request("POST", "/api/barcode/link/", body.as_bytes())
            .status
    };
    assert_eq!(link("BOX-1"), 403, "the file's pos_may_link = false");

    // Live: pos_may_link. Takes a restart: max_connections. The harness's
    // --listen flag overrides the file, so its change is no change.
    write("pos_may_link = true\nmax_connections = 8\nlisten = \"127.0.0.1:2\"\n");
    let said = hangup(&server).join("\n");
    assert!(said.contains("applied pos_may_link"), "{said}");
    assert!(
        said.contains("changes max_connections, which take a restart"),
        "{said}"
    );
    assert!(!said.contains("listen"), "{said}");
    assert_eq!(link("BOX-2"), 200, "pos_may_link = true, without a restart");

    // A file that cannot be used keeps the settings in use.
    write("pos_may_link = false\nmax_conections = 8\n");
    let said = hangup(&server).join("\n");
    assert!(
        said.contains("kept the settings in use") && said.contains("max_conections"),
        "{said}"
    );
    assert_eq!(link("BOX-3"), 200);

    // A key the file no longer sets takes its default again.
    write("");
    let said = hangup(&server).join("\n");
    assert!(said.contains("applied pos_may_link"), "{said}");
    assert_eq!(link("BOX-4"), 403);
}
