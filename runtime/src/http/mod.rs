//! The HTTP server: accepts connections, bounds them, and shuts down without
//! dropping requests in flight.

mod admin;
mod audit;
mod auth;
mod body;
mod booking;
mod catalog;
mod console;
mod gate;
mod history;
mod inventree;
mod keys;
mod label;
mod link;
mod lookup;
mod metrics;
mod openapi;
mod qr;
mod query;
mod receive;
mod records;
mod routes;
mod scan;
mod stock;
mod symbols;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use barcoded_app::Service;
use gate::{Eviction, Gate, Ticket};

/// How long a client of the metrics address may take to send a request head.
const METRICS_HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections the kernel queues before the server accepts them (capped by
/// `net.core.somaxconn`): room for a burst of clients during a flood.
const LISTEN_BACKLOG: u32 = 4096;
/// How long a connection may stay idle after a request, or take to send
/// the next head, before it is closed.
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 16 << 10;
/// How long shutdown waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections over the limit that are answered at once; more are closed.
const MAX_REFUSALS: usize = 64;

/// How the server treats connections.
#[derive(Clone)]
pub struct Options {
    /// Connections open at once. When all are taken, a new one takes the
    /// slot of a connection that has not sent a request yet, or of one idle
    /// between requests; when every one has a request in flight, it is
    /// answered 503 and closed.
    pub max_connections: usize,
    /// Speak HTTPS with this certificate; plain HTTP without one.
    pub tls: Option<Arc<tls::Certificate>>,
    /// How long a new client may take to send its first request head;
    /// past that, it is dropped.
    pub head_timeout: Duration,
}

/// A listener on `address`, with a backlog for bursts of new clients.
pub fn listen(address: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As std's listeners do: a restarted server may bind at once.
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `service` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Service>,
    options: Options,
    shutdown: impl Future<Output = ()>,
) {
    let gate = Gate::new(options.max_connections);
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(KEEP_ALIVE_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES);
    let (stop, stopping) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!("accepting a connection failed: {error}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(ticket) = gate.admit() else {
                    service.metrics().connection_closed("refused");
                    // Past MAX_REFUSALS being answered, one is simply closed.
                    if let Ok(refusing) = refusals.clone().try_acquire_owned() {
                        let max = gate.max();
                        tokio::spawn(async move {
                            refuse_connection(stream, max).await;
                            drop(refusing);
                        });
                    }
                    continue;
                };
                let connection = Connection {
                    service: service.clone(),
                    builder: builder.clone(),
                    ticket,
                    stopping: stopping.clone(),
                    deadline: Instant::now() + options.head_timeout,
                };
                let tls = options.tls.as_ref().map(|certificate| certificate.acceptor());
                tokio::spawn(connection.run(stream, tls));
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    stop.send_replace(());
    if tokio::time::timeout(DRAIN_TIMEOUT, gate.drained())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
}

/// One admitted connection, from its first byte to its close.
struct Connection {
    service: Arc<Service>,
    builder: http1::Builder,
    ticket: Ticket,
    /// Changes when the server shuts down.
    stopping: watch::Receiver<()>,
    /// When its first request head must have arrived.
    deadline: Instant,
}

impl Connection {
    async fn run(mut self, stream: TcpStream, tls: Option<tokio_rustls::TlsAcceptor>) {
        let Some(tls) = tls else {
            return self.serve(stream).await;
        };
        let handshake = tokio::time::timeout_at(self.deadline, tls.accept(stream));
        let stream = tokio::select! {
            accepted = handshake => match accepted {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => return tracing::debug!("TLS handshake failed: {error}"),
                Err(_) => return self.closed("head_timeout"),
            },
            _ = &mut self.ticket.evicted => return self.closed("evicted_unproven"),
            _ = self.stopping.changed() => return,
        };
        self.serve(stream).await;
    }

    /// Serves HTTP/1.1 on `io` until the client closes, a timeout, the
    /// gate's eviction or shutdown.
    async fn serve<I>(mut self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (service, usage) = (self.service.clone(), self.ticket.usage());
        let handler = service_fn(move |request| {
            let (service, in_flight) = (service.clone(), usage.begin());
            async move {
                let response = routes::route(service, request).await;
                drop(in_flight);
                response
            }
        });
        let connection = self.builder.serve_connection(TokioIo::new(io), handler);
        tokio::pin!(connection);
        let first_head = tokio::time::sleep_until(self.deadline);
        tokio::pin!(first_head);
        let (mut waiting_for_head, mut closing) = (true, false);
        loop {
            tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(error) = ended {
                        tracing::debug!("connection ended with an error: {error}");
                    }
                    return;
                }
                () = &mut first_head, if waiting_for_head => {
                    if !self.ticket.proven() {
                        return self.closed("head_timeout");
                    }
                    waiting_for_head = false;
                }
                eviction = &mut self.ticket.evicted, if !closing => {
                    if eviction == Ok(Eviction::Unproven) {
                        return self.closed("evicted_unproven");
                    }
                    self.service.metrics().connection_closed("evicted_idle");
                    // Closes at once when idle; a request just begun is answered first.
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
                _ = self.stopping.changed(), if !closing => {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }

    fn closed(&self, reason: &'static str) {
        tracing::debug!("closed a connection: {reason}");
        self.service.metrics().connection_closed(reason);
    }
}

/// Connections open at once on the metrics address; more are closed.
const MAX_METRICS_CONNECTIONS: usize = 16;

/// Serves `GET /metrics`, without a key, on `listener`: the address a
/// Prometheus server scrapes (`serve --metrics-listen`). Runs until aborted.
pub async fn serve_metrics(listener: TcpListener, service: Arc<Service>) {
    let connections = Arc::new(Semaphore::new(MAX_METRICS_CONNECTIONS));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(METRICS_HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!("accepting a metrics connection failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            continue;
        };
        let service = service.clone();
        let handler = service_fn(move |request| metrics::route(service.clone(), request));
        let connection = builder.serve_connection(TokioIo::new(stream), handler);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!("metrics connection ended with an error: {error}");
            }
            drop(permit);
        });
    }
}

/// Answers a connection over the limit with a 503 that says the limit, and
/// closes it, instead of leaving the client to time out.
async fn refuse_connection(mut stream: TcpStream, max: usize) {
    let body = format!(
        "{{\"error\":\"The server has {max} connections open, its limit; retry shortly\"}}"
    );
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\ncache-control: no-store\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let written = tokio::time::timeout(
        Duration::from_secs(1),
        stream.write_all(response.as_bytes()),
    );
    if written.await.is_ok() {
        let _ = stream.shutdown().await;
    }
}
