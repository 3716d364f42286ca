//! Hearing other nodes' plugin changes: one connection per node `LISTEN`s
//! on a channel per topic, and every notification moves that topic's
//! generation on: a server reloads its plugins, the quarantine is read again.
//!
//! While the connection is down a node cannot hear, so it caches nothing
//! ([`Watch::generation`] is `None`); when it is back, every generation
//! moves on, since changes made meanwhile went unheard.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio_postgres::AsyncMessage;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::topic::Topic;

const TOPICS: [Topic; 2] = [Topic::Plugins, Topic::Quarantine];

/// Waits between attempts to listen again after losing the connection.
const RETRY: Duration = Duration::from_millis(500);

/// The generations of each topic, as this node has heard.
#[derive(Default)]
pub(crate) struct Watch {
    listening: AtomicBool,
    generations: [AtomicU64; TOPICS.len()],
}

impl Watch {
    /// The generation of `topic`, or `None` while this node cannot hear
    /// changes (and so must not trust anything it cached).
    pub(crate) fn generation(&self, topic: Topic) -> Option<u64> {
        let generation = self.generations[topic.index()].load(Ordering::Acquire);
        self.listening.load(Ordering::Acquire).then_some(generation)
    }

    /// The generation of `topic` whether or not this node can hear: what a
    /// server compares to decide whether to reload.
    pub(crate) fn current(&self, topic: Topic) -> u64 {
        self.generations[topic.index()].load(Ordering::Acquire)
    }

    pub(crate) fn bump(&self, topic: Topic) {
        self.generations[topic.index()].fetch_add(1, Ordering::AcqRel);
    }

    fn heard(&self, channel: &str) {
        if let Some(topic) = TOPICS.into_iter().find(|t| t.channel() == channel) {
            self.bump(topic);
        }
    }

    fn set_listening(&self, listening: bool) {
        for topic in TOPICS {
            self.bump(topic);
        }
        self.listening.store(listening, Ordering::Release);
    }
}

/// Listens until the store is dropped, reconnecting whenever the
/// connection is lost.
/// `listening` hears once when the first `LISTEN` is in place.
pub(crate) async fn listen(
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    watch: Arc<Watch>,
    listening: std::sync::mpsc::SyncSender<()>,
) {
    let mut was_lost = false;
    loop {
        match listen_once(&config, &tls, &watch, &listening).await {
            Ok(()) => tracing::warn!("lost the database's change notifications; reconnecting"),
            Err(error) if !was_lost => tracing::warn!(
                "cannot listen for the database's changes: {}; retrying",
                crate::sql::chain(&error)
            ),
            Err(_) => {}
        }
        was_lost = true;
        watch.set_listening(false);
        tokio::time::sleep(RETRY).await;
    }
}

/// Connects, listens on every topic, and hears notifications until the
/// connection ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    tls: &MakeRustlsConnect,
    watch: &Arc<Watch>,
    listening: &std::sync::mpsc::SyncSender<()>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let hearer = watch.clone();
    let heard = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(note)) => hearer.heard(note.channel()),
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let statements: String = TOPICS
        .iter()
        .map(|topic| format!("LISTEN {};", topic.channel()))
        .collect();
    client.batch_execute(&statements).await?;
    watch.set_listening(true);
    let _ = listening.try_send(());
    tracing::info!("listening for other nodes' changes");
    let _ = heard.await;
    drop(client);
    Ok(())
}
