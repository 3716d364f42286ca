//! Where the service's store calls run, so that no async worker ever blocks
//! on the store: writes (which may wait for another writer, such as an
//! import) run on Tokio's blocking pool, and so do reads of a store whose
//! reads wait on a database server, except the hot ones it answers as
//! futures ([`AsyncReads`]), which are awaited in place; redb's reads, which
//! never wait, run in place. Outside a runtime (a command at the shell)
//! every call runs in place.

use std::sync::Arc;

use barcoded_domain::store::{AsyncReads, Storage};

/// The service's store, reached only through [`Backend::read`] and
/// [`Backend::write`] from async code.
#[derive(Clone)]
pub(crate) struct Backend(Arc<dyn Storage>);

impl Backend {
    pub(crate) fn new(store: Arc<dyn Storage>) -> Backend {
        Backend(store)
    }

    /// The store itself, for code already on a thread that may block: the
    /// history writer, plugin loads, a command at the shell.
    pub(crate) fn blocking_store(&self) -> &Arc<dyn Storage> {
        &self.0
    }

    /// The store's async reads, if it has them: awaited in place, they hold
    /// no thread while the store waits for its database.
    pub(crate) fn async_reads(&self) -> Option<&dyn AsyncReads> {
        self.0.async_reads()
    }

    /// Runs `read`, in place when the store's reads never wait.
    pub(crate) async fn read<R: Send + 'static>(
        &self,
        read: impl FnOnce(&dyn Storage) -> R + Send + 'static,
    ) -> R {
        if self.0.reads_wait() {
            self.off_the_workers(read).await
        } else {
            read(self.0.as_ref())
        }
    }

    /// Runs `write` where a thread may block.
    pub(crate) async fn write<R: Send + 'static>(
        &self,
        write: impl FnOnce(&dyn Storage) -> R + Send + 'static,
    ) -> R {
        self.off_the_workers(write).await
    }

    async fn off_the_workers<R: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn Storage) -> R + Send + 'static,
    ) -> R {
        let store = self.0.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return call(store.as_ref());
        };
        match runtime.spawn_blocking(move || call(store.as_ref())).await {
            Ok(done) => done,
            // As if the call had run in place: its panic goes on unwinding
            // in the caller. A blocking task is only cancelled when the
            // runtime shuts down, which drops the caller first.
            Err(stopped) => std::panic::resume_unwind(stopped.into_panic()),
        }
    }
}
