//! Waiting for a plugin's future on a thread outside the async runtime:
//! loading a plugin, asking it what it is, and benchmarks.
//!
//! Plugin calls are async so that the HTTP server can run scans on its own
//! worker threads (a plugin yields at every epoch tick instead of holding a
//! thread). Without a server to reach, the futures they return need no
//! reactor and no timer, so parking the calling thread until it is woken is
//! all an executor must do.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on this thread. Never call it on an async
/// worker thread: it blocks the thread until the future is done.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::block_on;
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};

    /// A value another thread hands over, waking whoever waits for it.
    #[derive(Default)]
    struct Slot(Mutex<(Option<u32>, Option<Waker>)>);

    #[test]
    fn waits_for_a_future_woken_from_another_thread() {
        let slot = Arc::new(Slot::default());
        let filler = slot.clone();
        let sender = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let mut state = filler.0.lock().unwrap();
            state.0 = Some(42);
            if let Some(waker) = state.1.take() {
                waker.wake();
            }
        });
        let value = block_on(std::future::poll_fn(|cx| {
            let mut state = slot.0.lock().unwrap();
            match state.0 {
                Some(value) => Poll::Ready(value),
                None => {
                    state.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }));
        assert_eq!(value, 42);
        sender.join().unwrap();
    }
}
