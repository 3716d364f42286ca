//! How fast a server is ready to serve: the real binary, timed from spawn
//! to its "listening" log line, with the compiled code cache cold
//! (everything compiled) and warm; with 20 installed Rust plugins, and with
//! one plugin in each language (Rust, Python, JavaScript).
//!
//! Run with `just bench-startup` (needs the components from `just guests`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PLUGINS: u8 = 20;
const WARM_RUNS: usize = 7;

fn barcoded() -> &'static str {
    env!("CARGO_BIN_EXE_barcoded")
}

fn components_dir() -> PathBuf {
    std::env::var_os("BARCODED_COMPONENTS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
        PathBuf::from,
    )
}

/// `gtin` with a custom section naming `n`: 20 distinct components (distinct
/// digests, each compiled and cached on its own) of realistic size.
fn variant(gtin: &[u8], n: u8) -> Vec<u8> {
    let mut bytes = gtin.to_vec();
    let name = b"variant";
    bytes.extend_from_slice(&[0, (1 + name.len() + 1) as u8, name.len() as u8]);
    bytes.extend_from_slice(name);
    bytes.push(n);
    bytes
}

fn install_plugins(data: &Path) {
    let gtin = std::fs::read(components_dir().join("gtin.wasm"))
        .expect("gtin.wasm: run `just guests` first");
    for n in 0..PLUGINS {
        let file = data.join(format!("variant-{n}.wasm"));
        std::fs::write(&file, variant(&gtin, n)).unwrap();
        let status = Command::new(barcoded())
            .arg("--data-dir")
            .arg(data)
            .args([
                "plugin",
                "install",
                file.to_str().unwrap(),
                "--name",
                &format!("gtin-{n}"),
            ])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "installing variant {n}");
    }
}

/// Resident memory of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Spawns `barcoded serve` and returns how long it took to listen, and its
/// resident memory after a second of idling.
fn time_to_listen(data: &Path, plugins: usize) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = Command::new(barcoded())
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("BARCODED_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut loaded = 0;
    for line in stderr.lines().map_while(Result::ok) {
        loaded += usize::from(line.contains("loaded plugin "));
        if line.contains("listening on") {
            break;
        }
    }
    let elapsed = start.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let rss = rss_kib(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(loaded, plugins, "every plugin should load");
    (elapsed, rss)
}

fn millis(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// Installs one plugin per language: gtin (Rust), the InvenTree labels
/// (Python) and the supplier QR labels (JavaScript).
fn install_languages(data: &Path) {
    for name in ["gtin", "inventree_labels", "supplier_qr"] {
        let file = components_dir().join(format!("{name}.wasm"));
        let status = Command::new(barcoded())
            .arg("--data-dir")
            .arg(data)
            .args(["plugin", "install", file.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success(), "installing {name}");
    }
}

/// Cold start, then the median, fastest and slowest of the warm starts,
/// and the largest idle resident memory.
fn measure(data: &Path, plugins: usize) -> (Duration, [Duration; 3], u64) {
    std::fs::remove_dir_all(data.join("cache")).unwrap();
    let (cold, _) = time_to_listen(data, plugins);
    let runs: Vec<(Duration, u64)> = (0..WARM_RUNS)
        .map(|_| time_to_listen(data, plugins))
        .collect();
    let mut warm: Vec<Duration> = runs.iter().map(|(time, _)| *time).collect();
    warm.sort();
    let idle_rss = runs.iter().map(|(_, rss)| *rss).max().unwrap_or(0);
    (
        cold,
        [warm[WARM_RUNS / 2], warm[0], warm[WARM_RUNS - 1]],
        idle_rss,
    )
}

fn row(what: &str, (cold, [median, fastest, slowest], rss): (Duration, [Duration; 3], u64)) {
    println!(
        "| {what} | {} | {} ({}–{}) | {:.1} MiB |",
        millis(cold),
        millis(median),
        millis(fastest),
        millis(slowest),
        rss as f64 / 1024.0
    );
}

fn main() {
    let dir = |what: &str| {
        let dir =
            std::env::temp_dir().join(format!("barcoded-bench-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    };
    let many = dir("startup");
    install_plugins(&many);
    let twenty = measure(&many, usize::from(PLUGINS));
    std::fs::remove_dir_all(&many).unwrap();
    let languages = dir("languages");
    install_languages(&languages);
    let three = measure(&languages, 3);
    std::fs::remove_dir_all(&languages).unwrap();

    println!("Start-up, spawn to listening (target: under 500 ms warm); idle memory after it");
    println!("(targets: under 64 MiB with 10 plugins)");
    println!();
    println!(
        "| installed | cold: every plugin compiled | warm: median of {WARM_RUNS} (fastest–slowest) | resident, idle (largest) |"
    );
    println!("|---|---|---|---|");
    row(&format!("{PLUGINS} Rust plugins"), twenty);
    row("Rust, Python and JavaScript plugin", three);
}
