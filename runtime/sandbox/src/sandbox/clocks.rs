//! Clocks a plugin may read: real time, at millisecond resolution. Coarse
//! clocks keep plugins useful (dates, elapsed time) while giving them no
//! fine-grained timer to measure side channels with.

use std::time::{Duration, Instant, SystemTime};

use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

const RESOLUTION: Duration = Duration::from_millis(1);

fn coarse(duration: Duration) -> Duration {
    Duration::from_millis(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

/// Wall-clock time since the Unix epoch, to the millisecond.
pub struct CoarseWallClock;

impl HostWallClock for CoarseWallClock {
    fn resolution(&self) -> Duration {
        RESOLUTION
    }

    fn now(&self) -> Duration {
        coarse(
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default(),
        )
    }
}

/// Monotonic time since the sandbox was made, to the millisecond.
pub struct CoarseMonotonicClock(Instant);

impl CoarseMonotonicClock {
    pub fn new() -> CoarseMonotonicClock {
        CoarseMonotonicClock(Instant::now())
    }
}

impl HostMonotonicClock for CoarseMonotonicClock {
    fn resolution(&self) -> u64 {
        u64::try_from(RESOLUTION.as_nanos()).unwrap_or(u64::MAX)
    }

    fn now(&self) -> u64 {
        u64::try_from(coarse(self.0.elapsed()).as_nanos()).unwrap_or(u64::MAX)
    }
}
