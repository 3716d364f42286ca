//! The HTTP server: accepts connections, bounds them, and shuts down without
//! dropping requests in flight.

mod admin;
mod auth;
mod body;
mod catalog;
mod console;
mod history;
mod inventree;
mod keys;
mod link;
mod lookup;
mod metrics;
mod openapi;
mod qr;
mod query;
mod receive;
mod routes;
mod scan;
mod stock;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use barcoded_app::Service;

/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 16 << 10;
/// How long shutdown waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections over the limit that are answered at once; more are closed.
const MAX_REFUSALS: usize = 64;

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server treats connections.
#[derive(Clone)]
pub struct Options {
    /// Connections open at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// Speak HTTPS with this acceptor; plain HTTP without one.
    pub tls: Option<TlsAcceptor>,
}

/// Serves `service` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Service>,
    options: Options,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Arc::new(Semaphore::new(options.max_connections));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES);
    let graceful = GracefulShutdown::new();
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
                let Ok(permit) = connections.clone().try_acquire_owned() else {
                    // Past MAX_REFUSALS being answered, one is simply closed.
                    if let Ok(refusing) = refusals.clone().try_acquire_owned() {
                        let max = options.max_connections;
                        tokio::spawn(async move {
                            refuse_connection(stream, max).await;
                            drop(refusing);
                        });
                    }
                    continue;
                };
                let service = service.clone();
                let handler = service_fn(move |request| routes::route(service.clone(), request));
                let Some(tls) = options.tls.clone() else {
                    let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), handler));
                    tokio::spawn(async move {
                        if let Err(error) = connection.await {
                            tracing::debug!("connection ended with an error: {error}");
                        }
                        drop(permit);
                    });
                    continue;
                };
                let (builder, watcher) = (builder.clone(), graceful.watcher());
                tokio::spawn(async move {
                    let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(error)) => return tracing::debug!("TLS handshake failed: {error}"),
                        Err(_) => return tracing::debug!("TLS handshake timed out"),
                    };
                    let connection = watcher.watch(builder.serve_connection(TokioIo::new(stream), handler));
                    if let Err(error) = connection.await {
                        tracing::debug!("connection ended with an error: {error}");
                    }
                    drop(permit);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
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
        .header_read_timeout(HEADER_TIMEOUT)
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
