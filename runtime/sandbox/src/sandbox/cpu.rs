//! A plugin's CPU budget, counted in the CPU time of the thread that runs
//! it, so that time spent waiting for a core on a busy machine is never
//! charged to the plugin.
//!
//! Epoch ticks decide *when* the budget is checked (wasmtime calls back at
//! each tick the plugin runs across), but not how much is charged: a plugin
//! resumed just before a tick has run for a moment, not a tick, and
//! charging whole ticks made an honest plugin on a busy server fail its
//! limit.
//!
//! Reading a thread's CPU clock is a system call (about 1 µs here), against
//! about 15 µs for a whole scan, so a scan is timed with the cheap wall
//! clock until its first tick; only a plugin still running then is metered
//! by CPU time, its first stretch (under a tick) counted at wall time.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use rustix::time::{ClockId, clock_gettime};

/// The CPU time one call into a plugin has used.
#[derive(Debug)]
pub struct CpuClock {
    /// What wall-clock readings are measured from.
    epoch: Instant,
    /// Time charged for the polls that ended, in nanoseconds.
    used: AtomicU64,
    /// Whether polls are metered by the thread's CPU clock yet.
    metering: AtomicBool,
    /// When the poll in progress began: nanoseconds since `epoch` before
    /// metering, the thread's CPU clock after.
    poll_started: AtomicU64,
}

impl Default for CpuClock {
    fn default() -> CpuClock {
        CpuClock {
            epoch: Instant::now(),
            used: AtomicU64::new(0),
            metering: AtomicBool::new(false),
            poll_started: AtomicU64::new(0),
        }
    }
}

impl CpuClock {
    /// Runs `future`, charging the time of each of its polls.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        std::future::poll_fn(|cx| {
            self.poll_started.store(self.now(), Ordering::Relaxed);
            let polled = future.as_mut().poll(cx);
            self.used
                .fetch_add(nanos(self.in_this_poll()), Ordering::Relaxed);
            match polled {
                Poll::Ready(output) => Poll::Ready(output),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    /// Switches to metering by CPU time, from now on; the stretch of this
    /// poll so far is charged at wall time. Call it from within a poll.
    pub fn meter(&self) {
        if self.metering.load(Ordering::Relaxed) {
            return;
        }
        self.used
            .fetch_add(nanos(self.in_this_poll()), Ordering::Relaxed);
        self.metering.store(true, Ordering::Relaxed);
        self.poll_started.store(self.now(), Ordering::Relaxed);
    }

    /// Time charged since the poll in progress began (since [`Self::meter`]
    /// switched to CPU time, if it did during this poll).
    pub fn in_this_poll(&self) -> Duration {
        let started = self.poll_started.load(Ordering::Relaxed);
        Duration::from_nanos(self.now().saturating_sub(started))
    }

    /// Time charged so far, the poll in progress included.
    pub fn used(&self) -> Duration {
        Duration::from_nanos(self.used.load(Ordering::Relaxed)) + self.in_this_poll()
    }

    fn now(&self) -> u64 {
        if self.metering.load(Ordering::Relaxed) {
            thread_cpu_ns()
        } else {
            nanos(self.epoch.elapsed())
        }
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// The calling thread's CPU time, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let now = clock_gettime(ClockId::ThreadCPUTime);
    (now.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(now.tv_nsec as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs on this thread's CPU for at least `time`.
    fn spin(time: Duration) {
        let started = thread_cpu_ns();
        while thread_cpu_ns() - started < nanos(time) {
            std::hint::black_box(0);
        }
    }

    #[test]
    fn once_metering_polls_are_charged_their_cpu_time_and_waits_are_not() {
        let clock = CpuClock::default();
        let mut polls = 0;
        let future = std::future::poll_fn(|cx| {
            polls += 1;
            if polls == 3 {
                return Poll::Ready(());
            }
            clock.meter();
            spin(Duration::from_millis(5));
            // Woken only after 30 ms of waiting, which costs no CPU time.
            let waker = cx.waker().clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(30));
                waker.wake();
            });
            Poll::Pending
        });
        crate::block_on(clock.run(future));
        let used = clock.used.load(Ordering::Relaxed);
        assert!(
            (10_000_000..25_000_000).contains(&used),
            "two polls of 5 ms of CPU, 30 ms apart, were charged {used} ns"
        );
    }

    #[test]
    fn before_metering_a_poll_is_charged_its_wall_time() {
        let clock = CpuClock::default();
        crate::block_on(clock.run(async {
            std::thread::sleep(Duration::from_millis(20));
        }));
        assert!(clock.used() >= Duration::from_millis(20));
        assert!(!clock.metering.load(Ordering::Relaxed));
    }
}
