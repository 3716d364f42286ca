//! What a notification between nodes says changed.

/// What a notification says changed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Topic {
    /// Installed plugins and their settings.
    Plugins,
    /// Plugins quarantined and released.
    Quarantine,
}

impl Topic {
    pub(crate) fn channel(self) -> &'static str {
        match self {
            Topic::Plugins => "barcoded_plugins",
            Topic::Quarantine => "barcoded_quarantine",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
