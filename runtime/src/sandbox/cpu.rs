//! A plugin's CPU budget, counted in the CPU time of the thread that runs
//! it, so that time spent waiting for a core on a busy machine is never
//! charged to the plugin.
//!
//! Epoch ticks still decide *when* the budget is checked (wasmtime calls
//! back at each tick the plugin runs across), but not how much is charged:
//! a plugin resumed after yielding may cross a tick at once, having run for
//! only a moment, and charging a whole tick for that made an honest plugin
//! on a loaded server fail its limit.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use rustix::time::{ClockId, clock_gettime};

/// The CPU time one call into a plugin has used.
#[derive(Debug, Default)]
pub struct CpuClock {
    /// CPU time of the polls that ended, in nanoseconds.
    used: AtomicU64,
    /// The thread's CPU clock when the poll in progress began.
    poll_started: AtomicU64,
}

impl CpuClock {
    /// Runs `future`, charging the CPU time of each of its polls.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        std::future::poll_fn(|cx| {
            self.poll_started.store(thread_cpu_ns(), Ordering::Relaxed);
            let polled = future.as_mut().poll(cx);
            self.used
                .fetch_add(self.in_this_poll().as_nanos() as u64, Ordering::Relaxed);
            match polled {
                Poll::Ready(output) => Poll::Ready(output),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    /// CPU time since the poll in progress began.
    pub fn in_this_poll(&self) -> Duration {
        let started = self.poll_started.load(Ordering::Relaxed);
        Duration::from_nanos(thread_cpu_ns().saturating_sub(started))
    }

    /// CPU time used so far, the poll in progress included.
    pub fn used(&self) -> Duration {
        Duration::from_nanos(self.used.load(Ordering::Relaxed)) + self.in_this_poll()
    }
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

    fn spin(for_at_least: Duration) {
        let clock = CpuClock::default();
        clock.poll_started.store(thread_cpu_ns(), Ordering::Relaxed);
        while clock.in_this_poll() < for_at_least {
            std::hint::black_box(0);
        }
    }

    #[test]
    fn polls_are_charged_their_cpu_time_and_waits_are_not() {
        let clock = CpuClock::default();
        let mut polls = 0;
        let future = std::future::poll_fn(|cx| {
            polls += 1;
            if polls == 3 {
                return Poll::Ready(());
            }
            spin(Duration::from_millis(5));
            // Woken only after 30 ms of waiting, which costs no CPU time.
            let waker = cx.waker().clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(30));
                waker.wake();
            });
            Poll::Pending
        });
        crate::blocking::block_on(clock.run(future));
        let used = clock.used.load(Ordering::Relaxed);
        assert!(
            (10_000_000..25_000_000).contains(&used),
            "two polls of 5 ms of CPU, 60 ms apart, were charged {used} ns"
        );
    }
}
