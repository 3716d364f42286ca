//! Test plugin that is slow but within its limits: `SLOW-<ms>` busy-waits
//! that many milliseconds; `SPIN-<n>` runs n rounds of arithmetic (for
//! benchmarks of the CPU-limit mechanism).

use std::time::{Duration, Instant};

use barcode_plugin_sdk::{Plugin, PluginInfo, ScanError, ScanResult, export_plugin};

struct Slow;

fn spin(rounds: u64) -> u64 {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..rounds {
        x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
    }
    x
}

impl Plugin for Slow {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "slow".into(),
            title: "Slow but legal".into(),
            description: "Busy-waits or spins as told, then decodes.".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            author: "barcoded developers (test plugin)".into(),
        }
    }

    fn scan(data: &str) -> Result<Option<ScanResult>, ScanError> {
        if let Some(ms) = data.strip_prefix("SLOW-").and_then(|n| n.parse().ok()) {
            let start = Instant::now();
            let mut rounds = 0u64;
            while start.elapsed() < Duration::from_millis(ms) {
                spin(1000);
                rounds += 1;
            }
            return Ok(Some(
                ScanResult::new("SLOW").field("rounds", rounds.to_string()),
            ));
        }
        if let Some(rounds) = data.strip_prefix("SPIN-").and_then(|n| n.parse().ok()) {
            return Ok(Some(
                ScanResult::new("SPIN").field("value", spin(rounds).to_string()),
            ));
        }
        Ok(None)
    }
}

export_plugin!(Slow);
