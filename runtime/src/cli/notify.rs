//! systemd's service notifications (sd_notify(3)), for a unit of
//! `Type=notify`: `READY=1` once the server listens, `STOPPING=1` when it
//! begins to stop, and `WATCHDOG=1` while its runtime still runs work, so
//! that `WatchdogSec=` restarts a server that hangs. Outside such a unit
//! (no `NOTIFY_SOCKET`) every call does nothing.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// Where systemd listens for this service's notifications.
pub struct Notifier {
    socket: UnixDatagram,
    address: SocketAddr,
}

impl Notifier {
    /// The notifier `NOTIFY_SOCKET` names: a path, or `@name` for an
    /// abstract socket. `None` when it is unset or cannot be used (logged).
    pub fn from_environment() -> Option<Notifier> {
        let named = std::env::var_os("NOTIFY_SOCKET")?;
        let named = named.to_string_lossy();
        let address = match named.strip_prefix('@') {
            Some(name) => abstract_address(name.as_bytes()),
            None => SocketAddr::from_pathname(&*named),
        };
        let notifier = address.and_then(|address| {
            Ok(Notifier {
                socket: UnixDatagram::unbound()?,
                address,
            })
        });
        notifier
            .inspect_err(|error| {
                tracing::warn!("cannot notify systemd through NOTIFY_SOCKET={named}: {error}")
            })
            .ok()
    }

    /// Sends `state`, such as `READY=1`; systemd reads nothing back.
    pub fn send(&self, state: &str) {
        if let Err(error) = self.socket.send_to_addr(state.as_bytes(), &self.address) {
            tracing::warn!("cannot notify systemd ({state}): {error}");
        }
    }

    /// How often to send `WATCHDOG=1`: half the unit's `WatchdogSec=`, as
    /// sd_watchdog_enabled(3) advises; `None` when no watchdog watches this
    /// process.
    pub fn watchdog_every() -> Option<Duration> {
        let for_us = std::env::var("WATCHDOG_PID")
            .map_or(true, |pid| pid.trim() == std::process::id().to_string());
        let micros: u64 = std::env::var("WATCHDOG_USEC").ok()?.trim().parse().ok()?;
        (for_us && micros > 0).then(|| Duration::from_micros(micros / 2))
    }
}

#[cfg(target_os = "linux")]
fn abstract_address(name: &[u8]) -> std::io::Result<SocketAddr> {
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

#[cfg(not(target_os = "linux"))]
fn abstract_address(_name: &[u8]) -> std::io::Result<SocketAddr> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "abstract sockets are Linux's",
    ))
}
