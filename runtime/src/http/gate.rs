//! Admission of connections: at most `max` open at once, and when full, room
//! is made for a new client rather than refusing everyone.
//!
//! A connection that has not yet sent a whole request head is *unproven*.
//! When every slot is taken, a newcomer takes the slot of the oldest
//! unproven connection (the clients that open connections and go quiet);
//! failing that, of the connection idle longest between requests. Only when
//! every connection has a request in flight is the newcomer refused. So a
//! flood of half-sent heads costs each of them its slot, never a till's
//! keep-alive connection that finished its requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::sync::{Notify, oneshot};

/// Why a connection was told to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// It had not finished its first request head: dropped at once.
    Unproven,
    /// It was idle between requests: closed once any request in flight is answered.
    Idle,
}

/// What the handler of one connection records, without taking the gate's lock.
#[derive(Debug)]
struct Activity {
    proven: AtomicBool,
    in_flight: AtomicU32,
    /// Milliseconds since the gate's epoch when the last request ended.
    last_active: AtomicU64,
}

struct Entry {
    activity: Arc<Activity>,
    evict: oneshot::Sender<Eviction>,
}

struct Slots {
    entries: HashMap<u64, Entry>,
    next_id: u64,
}

/// The open connections of one listener.
pub struct Gate {
    max: usize,
    epoch: Instant,
    slots: Mutex<Slots>,
    /// Woken whenever a connection closes, for [`Gate::drained`].
    closed: Notify,
}

/// One admitted connection's slot, released on drop.
pub struct Ticket {
    gate: Arc<Gate>,
    id: u64,
    activity: Arc<Activity>,
    /// Resolves when the gate takes the slot for a newcomer.
    pub evicted: oneshot::Receiver<Eviction>,
}

/// What the request handler of a connection holds: marks requests begun
/// and ended.
#[derive(Clone)]
pub struct Usage {
    gate: Arc<Gate>,
    activity: Arc<Activity>,
}

/// One request in flight on a connection; ends it on drop.
pub struct InFlight(Usage);

impl Gate {
    pub fn new(max: usize) -> Arc<Gate> {
        Arc::new(Gate {
            max,
            epoch: Instant::now(),
            slots: Mutex::new(Slots {
                entries: HashMap::new(),
                next_id: 0,
            }),
            closed: Notify::new(),
        })
    }

    /// The slot limit.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A slot for a new connection, taking one from another connection if
    /// all are in use; `None` when every connection has a request in flight.
    pub fn admit(self: &Arc<Gate>) -> Option<Ticket> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.entries.len() >= self.max {
            let (victim, reason) = choose_victim(&slots.entries)?;
            if let Some(entry) = slots.entries.remove(&victim) {
                // A connection already ending has dropped its receiver; fine.
                let _ = entry.evict.send(reason);
            }
        }
        let id = slots.next_id;
        slots.next_id += 1;
        let activity = Arc::new(Activity {
            proven: AtomicBool::new(false),
            in_flight: AtomicU32::new(0),
            last_active: AtomicU64::new(self.now_ms()),
        });
        let (evict, evicted) = oneshot::channel();
        slots.entries.insert(
            id,
            Entry {
                activity: activity.clone(),
                evict,
            },
        );
        Some(Ticket {
            gate: self.clone(),
            id,
            activity,
            evicted,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entries.len()
    }

    /// Waits until no connection is open.
    pub async fn drained(&self) {
        loop {
            let closed = self.closed.notified();
            if self.open() == 0 {
                return;
            }
            closed.await;
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// The oldest unproven connection, else the one idle longest with no
/// request in flight.
fn choose_victim(entries: &HashMap<u64, Entry>) -> Option<(u64, Eviction)> {
    let unproven = entries
        .iter()
        .filter(|(_, entry)| !entry.activity.proven.load(Ordering::Acquire))
        .map(|(id, _)| *id)
        .min();
    if let Some(id) = unproven {
        return Some((id, Eviction::Unproven));
    }
    entries
        .iter()
        .filter(|(_, entry)| entry.activity.in_flight.load(Ordering::Acquire) == 0)
        .min_by_key(|(id, entry)| (entry.activity.last_active.load(Ordering::Acquire), **id))
        .map(|(id, _)| (*id, Eviction::Idle))
}

impl Ticket {
    /// The handle the connection's request handler keeps.
    pub fn usage(&self) -> Usage {
        Usage {
            gate: self.gate.clone(),
            activity: self.activity.clone(),
        }
    }

    /// Whether the connection has sent a whole request head.
    pub fn proven(&self) -> bool {
        self.activity.proven.load(Ordering::Acquire)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut slots = self
            .gate
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // An evicted connection's slot was already given to its successor.
        slots.entries.remove(&self.id);
        drop(slots);
        self.gate.closed.notify_waiters();
    }
}

impl Usage {
    /// Marks a request begun (its head read): the connection is proven.
    pub fn begin(&self) -> InFlight {
        self.activity.in_flight.fetch_add(1, Ordering::AcqRel);
        self.activity.proven.store(true, Ordering::Release);
        InFlight(self.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0.activity;
        activity
            .last_active
            .store(self.0.gate.now_ms(), Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_the_limit_every_connection_is_admitted() {
        let gate = Gate::new(3);
        let tickets: Vec<_> = (0..3).map(|_| gate.admit().unwrap()).collect();
        assert_eq!(gate.open(), 3);
        drop(tickets);
        assert_eq!(gate.open(), 0);
    }

    #[test]
    fn when_full_the_oldest_unproven_connection_makes_room() {
        let gate = Gate::new(3);
        let mut oldest = gate.admit().unwrap();
        let proven = gate.admit().unwrap();
        drop(proven.usage().begin());
        let mut younger = gate.admit().unwrap();
        let newcomer = gate.admit().expect("room made");
        assert_eq!(oldest.evicted.try_recv(), Ok(Eviction::Unproven));
        assert!(younger.evicted.try_recv().is_err(), "only the oldest goes");
        assert_eq!(gate.open(), 3);
        // The evicted connection closing does not free its successor's slot.
        drop(oldest);
        assert_eq!(gate.open(), 3);
        drop((proven, younger, newcomer));
        assert_eq!(gate.open(), 0);
    }

    #[test]
    fn with_every_connection_proven_the_longest_idle_makes_room() {
        let gate = Gate::new(2);
        let mut first = gate.admit().unwrap();
        let mut second = gate.admit().unwrap();
        drop(first.usage().begin());
        std::thread::sleep(std::time::Duration::from_millis(5));
        drop(second.usage().begin());
        let _newcomer = gate.admit().expect("room made");
        assert_eq!(first.evicted.try_recv(), Ok(Eviction::Idle));
        assert!(second.evicted.try_recv().is_err());
    }

    #[test]
    fn with_a_request_in_flight_on_every_connection_a_newcomer_is_refused() {
        let gate = Gate::new(2);
        let (first, second) = (gate.admit().unwrap(), gate.admit().unwrap());
        let busy = (first.usage().begin(), second.usage().begin());
        assert!(gate.admit().is_none());
        drop(busy);
        assert!(gate.admit().is_some(), "an idle connection makes room");
    }

    #[tokio::test]
    async fn drained_waits_for_the_last_connection() {
        let gate = Gate::new(2);
        let ticket = gate.admit().unwrap();
        let waiter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.drained().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(ticket);
        waiter.await.unwrap();
    }
}
