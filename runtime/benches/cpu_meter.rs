//! What the CPU limit costs per scan: the real plugin path (fresh sandbox,
//! instantiate from InstancePre, call, validate) with epoch interruption
//! against the same path with no CPU limit at all; and how close the CPU
//! budget gets to the plugin's real CPU time, on an idle and a busy machine.
//!
//! Run with `just bench-cpu` (needs the components from `just guests`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use barcoded_sandbox::{self as sandbox, CpuMeter, Limits, Plugin, block_on};

struct Case {
    name: &'static str,
    component: &'static str,
    data: &'static str,
    rounds: usize,
}

const CASES: [Case; 3] = [
    Case {
        name: "gtin scan (EAN-13)",
        component: "gtin",
        data: "4006381333931",
        rounds: 3000,
    },
    Case {
        name: "no match (hello)",
        component: "hello",
        data: "4006381333931",
        rounds: 3000,
    },
    Case {
        name: "CPU-bound (1M rounds)",
        component: "slow",
        data: "SPIN-1000000",
        rounds: 60,
    },
];

fn components_dir() -> PathBuf {
    std::env::var_os("BARCODED_COMPONENTS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release"),
        PathBuf::from,
    )
}

fn load(meter: CpuMeter, component: &str) -> Plugin {
    // A generous CPU budget, so the CPU-bound case measures cost, not the limit.
    load_meter(meter, component, Duration::from_secs(10))
}

fn load_with_budget(component: &str, budget: Duration) -> Plugin {
    load_meter(CpuMeter::Epoch, component, budget)
}

fn load_meter(meter: CpuMeter, component: &str, budget: Duration) -> Plugin {
    let engine = sandbox::new_engine_with(meter).expect("engine");
    let linker = sandbox::new_linker(&engine).expect("linker");
    let path = components_dir().join(format!("{component}.wasm"));
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `just guests` first", path.display()));
    let limits = Limits {
        cpu_time: budget,
        ..Limits::default()
    };
    Plugin::load(&engine, &linker, component, 100, &bytes, limits).expect("a valid plugin")
}

/// Median and 99th percentile of `rounds` timed scans, after a warm-up.
fn measure(plugin: &Plugin, data: &str, rounds: usize) -> (Duration, Duration) {
    for _ in 0..rounds / 10 {
        block_on(plugin.scan(data, None)).0.expect("scan");
    }
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            block_on(plugin.scan(data, None)).0.expect("scan");
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[rounds / 2], times[rounds * 99 / 100])
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

/// The calling thread's CPU time.
fn thread_cpu() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Median wall and CPU time of scans of a plugin that loops until its
/// 100 ms budget cuts it, with `busy` other threads spinning meanwhile.
fn cut_after(plugin: &Plugin, busy: usize) -> (Duration, Duration) {
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..busy {
            scope.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::black_box(0u64);
                }
            });
        }
        let mut runs: Vec<(Duration, Duration)> = (0..15)
            .map(|_| {
                let (wall, cpu) = (Instant::now(), thread_cpu());
                let failure = block_on(plugin.scan("loop", None)).0.expect_err("cut");
                assert_eq!(failure.limit(), Some(sandbox::Limit::CpuTime));
                (wall.elapsed(), thread_cpu() - cpu)
            })
            .collect();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        runs.sort();
        runs[runs.len() / 2]
    })
}

fn main() {
    println!("Per-scan cost of the CPU limit (median / p99, microseconds; lower is better)");
    println!();
    println!("| case | no CPU limit | epoch interruption | epoch overhead (median) |");
    println!("|---|---|---|---|");
    for case in &CASES {
        let off = measure(&load(CpuMeter::Off, case.component), case.data, case.rounds);
        let epoch = measure(
            &load(CpuMeter::Epoch, case.component),
            case.data,
            case.rounds,
        );
        let overhead = (epoch.0.as_secs_f64() / off.0.as_secs_f64() - 1.0) * 100.0;
        println!(
            "| {} | {} / {} | {} / {} | {overhead:+.1}% |",
            case.name,
            micros(off.0),
            micros(off.1),
            micros(epoch.0),
            micros(epoch.1)
        );
    }

    println!();
    println!(
        "CPU budget against the plugin's real CPU time (a plugin that loops until cut; budget 100 ms)"
    );
    println!();
    println!("| machine | wall time to the cut (median) | CPU time to the cut (median) |");
    println!("|---|---|---|");
    let looping = load_with_budget("hostile_loop", Duration::from_millis(100));
    for (machine, busy) in [("idle", 0), ("2 other threads spinning", 2)] {
        let (wall, cpu) = cut_after(&looping, busy);
        println!(
            "| {machine} | {:.1} ms | {:.1} ms |",
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3
        );
    }
}
