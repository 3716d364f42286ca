//! The plugin author's toolkit, as a new author uses it: `plugin new` in
//! each language, the project's own tests, `plugin build`, `plugin try`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::harness::{TempDir, binary};

/// Runs the real `barcoded` in `dir`, sharing the repository's target
/// folder so that a Rust project reuses what the guests' build compiled.
fn barcoded(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(binary())
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        )
        .args(args)
        .output()
        .expect("running barcoded")
}

fn succeeded(what: &str, output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `plugin new`, the project's native tests, `plugin build`, and `plugin
/// try` on a label, a broken label and someone else's barcode.
fn new_project_builds_and_answers(lang: &str, native_test: Option<&[&str]>) {
    let work = TempDir::new();
    let output = barcoded(work.path(), &["plugin", "new", "shelf", "--lang", lang]);
    succeeded("plugin new", &output);
    let project = work.path().join("shelf");
    if let Some(command) = native_test {
        let output = Command::new(command[0])
            .args(&command[1..])
            .current_dir(&project)
            .output()
            .expect("running the project's tests");
        succeeded("the project's native tests", &output);
    }
    succeeded("plugin build", &barcoded(&project, &["plugin", "build"]));
    let output = barcoded(
        &project,
        &[
            "plugin",
            "try",
            "plugin.wasm",
            "SHELF-12-3",
            "SHELF-12-x",
            "4006381333931",
            "--config",
            "site=north",
        ],
    );
    succeeded("plugin try", &output);
    let answers: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a line of JSON"))
        .collect();
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert_eq!(answers[0]["answer"], "decoded");
    assert_eq!(answers[0]["plugin"], "shelf");
    assert_eq!(answers[0]["result"]["fields"]["site"], "north");
    assert_eq!(answers[0]["result"]["fields"]["aisle"], "12");
    assert_eq!(answers[1]["answer"], "invalid");
    assert_eq!(answers[2]["answer"], "not-mine");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("shelf label: aisle 12, bay 3 at north"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_new_rust_plugin_builds_and_answers_plugin_try() {
    // Its native tests are the SDK's `tests/template.rs`.
    new_project_builds_and_answers("rust", None);
}

#[test]
fn a_new_python_plugin_tests_builds_and_answers_plugin_try() {
    new_project_builds_and_answers("python", Some(&["python3", "-m", "unittest"]));
}

#[test]
fn a_new_javascript_plugin_tests_builds_and_answers_plugin_try() {
    new_project_builds_and_answers("js", Some(&["node", "--test"]));
}

#[test]
fn plugin_try_warns_about_a_plugin_that_claims_everything() {
    let work = TempDir::new();
    succeeded(
        "plugin new",
        &barcoded(work.path(), &["plugin", "new", "greedy", "--lang", "js"]),
    );
    let project = work.path().join("greedy");
    // The author's mistake: "invalid" where it should say "not mine".
    let source = std::fs::read_to_string(project.join("plugin.js"))
        .unwrap()
        .replace("if (!barcodeData.startsWith(\"SHELF-\")) return null;", "");
    std::fs::write(project.join("plugin.js"), source).unwrap();
    succeeded("plugin build", &barcoded(&project, &["plugin", "build"]));
    let output = barcoded(&project, &["plugin", "try", "plugin.wasm", "4006381333931"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("warning: it claims \"this is not a barcode\", which is plainly not its own"),
        "{stderr}"
    );
    assert!(stderr.contains("answer not-mine"), "{stderr}");
}

#[test]
fn plugin_new_refuses_a_bad_name_and_an_existing_folder() {
    let work = TempDir::new();
    let output = barcoded(
        work.path(),
        &["plugin", "new", "Shelf Labels", "--lang", "rust"],
    );
    assert!(!output.status.success());
    succeeded(
        "plugin new",
        &barcoded(work.path(), &["plugin", "new", "shelf", "--lang", "python"]),
    );
    let output = barcoded(work.path(), &["plugin", "new", "shelf", "--lang", "js"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("exists already"));
}
