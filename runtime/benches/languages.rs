//! One plugin per language, side by side: component size, compile time, and
//! the median and p99 of a scan in a fresh instance, in-process, for the
//! same work (an EAN-13 that is not the plugin's: a prefix check and "not
//! mine") and for each one's own decode.
//!
//! Run with `just bench-languages` (needs the components from `just guests`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use barcoded_sandbox::{self as sandbox, Limits, Plugin, Verdict, block_on};

const EAN: &str = "4006381333931";
const WARM_UP: usize = 50;
const SCANS: usize = 2_000;

/// (language, component, a barcode it decodes)
const PLUGINS: [(&str, &str, &str); 3] = [
    ("Rust", "gtin", EAN),
    ("Python (componentize-py)", "inventree_labels", "INV-SI123"),
    (
        "JavaScript (componentize-qjs)",
        "supplier_qr",
        "QTY:1 PN:WBP-302 PO:19361337/1 MPN:WBP-302",
    ),
];

fn components_dir() -> PathBuf {
    std::env::var_os("BARCODED_COMPONENTS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
        PathBuf::from,
    )
}

/// Median and 99th percentile of `SCANS` scans of `data`, after a warm-up.
fn percentiles(plugin: &Plugin, data: &str, expect_decode: bool) -> (Duration, Duration) {
    let scan = || {
        let (verdict, _) = block_on(plugin.scan(data, None));
        let verdict = verdict.expect("the scan runs");
        assert_eq!(
            matches!(verdict, Verdict::Decoded(_)),
            expect_decode,
            "{verdict:?}"
        );
    };
    (0..WARM_UP).for_each(|_| scan());
    let mut times: Vec<Duration> = (0..SCANS)
        .map(|_| {
            let start = Instant::now();
            scan();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[SCANS / 2], times[SCANS * 99 / 100])
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let engine = sandbox::new_engine().expect("engine");
    let linker = sandbox::new_linker(&engine).expect("linker");
    println!("One fresh instance per scan, in-process, median / p99 of {SCANS} scans");
    println!("(targets: Python under 1 ms median, JavaScript under 200 µs)");
    println!();
    println!("| language | component | compile | not mine (same work) | its own decode |");
    println!("|---|---|---|---|---|");
    for (language, name, label) in PLUGINS {
        let path = components_dir().join(format!("{name}.wasm"));
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `just guests`", path.display()));
        let start = Instant::now();
        let plugin = Plugin::load(&engine, &linker, name, 100, &bytes, Limits::default())
            .expect("a valid plugin");
        let compile = start.elapsed();
        let (miss_median, miss_p99) = percentiles(&plugin, "this is not a barcode", false);
        let (hit_median, hit_p99) = percentiles(&plugin, label, true);
        println!(
            "| {language} ({name}) | {:.1} MB | {:.1} s | {} / {} | {} / {} |",
            bytes.len() as f64 / 1e6,
            compile.as_secs_f64(),
            micros(miss_median),
            micros(miss_p99),
            micros(hit_median),
            micros(hit_p99),
        );
    }
}
