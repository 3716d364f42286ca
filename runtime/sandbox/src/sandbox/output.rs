//! Captures what a plugin prints, within a byte and a line budget.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

/// A stdout or stderr for one scan. Writing past its budget traps the
/// plugin, and the stream remembers that it was the cause.
#[derive(Clone)]
pub struct CappedOutput {
    inner: Arc<Mutex<Captured>>,
}

struct Captured {
    bytes: Vec<u8>,
    lines: usize,
    max_bytes: usize,
    max_lines: usize,
    overflowed: bool,
}

/// How much a guest may ask to write at once; writes are checked one by one.
const WRITE_PERMIT: usize = 4096;

impl CappedOutput {
    pub fn new(max_bytes: usize, max_lines: usize) -> CappedOutput {
        CappedOutput {
            inner: Arc::new(Mutex::new(Captured {
                bytes: Vec::new(),
                lines: 0,
                max_bytes,
                max_lines,
                overflowed: false,
            })),
        }
    }

    /// What was printed, up to the budget.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// Whether the plugin tried to print past the budget.
    pub fn overflowed(&self) -> bool {
        self.lock().overflowed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Captured> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `bytes`, or marks the stream overflowed and refuses them.
    fn append(&self, bytes: &[u8]) -> StreamResult<()> {
        let mut captured = self.lock();
        let lines = captured.lines + bytes.iter().filter(|&&b| b == b'\n').count();
        if captured.bytes.len() + bytes.len() > captured.max_bytes || lines > captured.max_lines {
            captured.overflowed = true;
            return Err(StreamError::Trap(wasmtime::format_err!(
                "printed more than {} bytes or {} lines in one scan",
                captured.max_bytes,
                captured.max_lines
            )));
        }
        captured.bytes.extend_from_slice(bytes);
        captured.lines = lines;
        Ok(())
    }
}

impl OutputStream for CappedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes)
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_PERMIT)
    }
}

#[async_trait::async_trait]
impl Pollable for CappedOutput {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CappedOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(
            self.append(buf)
                .map(|()| buf.len())
                .map_err(std::io::Error::other),
        )
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}
