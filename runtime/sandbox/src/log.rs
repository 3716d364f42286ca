//! The budget of what one plugin can make the server log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lines one plugin may make the server log per [`PLUGIN_LOG_WINDOW`]:
/// what it prints, its refused host calls and its failures together.
pub const PLUGIN_LOG_LINES: u32 = 200;

/// The window [`PLUGIN_LOG_LINES`] is counted over.
pub const PLUGIN_LOG_WINDOW: Duration = Duration::from_secs(60);

/// What one plugin may make the server log: a plugin scanned a thousand
/// times a second could otherwise fill the operator's disk. Lines past the
/// budget are counted, and the count is logged when the next window opens.
pub struct PluginLog {
    plugin: String,
    window: Mutex<Window>,
}

struct Window {
    started: Instant,
    logged: u32,
    suppressed: u64,
}

impl PluginLog {
    pub fn new(plugin: &str) -> PluginLog {
        PluginLog {
            plugin: plugin.to_owned(),
            window: Mutex::new(Window {
                started: Instant::now(),
                logged: 0,
                suppressed: 0,
            }),
        }
    }

    /// The plugin's installed name.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// Calls `log` if the plugin has lines left in this window, and counts
    /// the line as suppressed otherwise.
    pub fn line(&self, log: impl FnOnce()) {
        if self.admit() {
            log();
        }
    }

    fn admit(&self) -> bool {
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        if window.started.elapsed() >= PLUGIN_LOG_WINDOW {
            if window.suppressed > 0 {
                tracing::warn!(
                    target: "plugin",
                    "[{}] {} more log lines suppressed (a plugin may log {PLUGIN_LOG_LINES} \
                     lines per {} s)",
                    self.plugin,
                    window.suppressed,
                    PLUGIN_LOG_WINDOW.as_secs()
                );
            }
            *window = Window {
                started: Instant::now(),
                logged: 0,
                suppressed: 0,
            };
        }
        if window.logged < PLUGIN_LOG_LINES {
            window.logged += 1;
            return true;
        }
        window.suppressed += 1;
        false
    }
}

/// Keeps a plugin from forging log lines or driving the operator's terminal.
pub(crate) fn escape_controls(line: &str) -> String {
    let mut escaped = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// `text` cut to `max` characters, with an ellipsis when it was longer.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_budget_then_counts_what_it_suppresses() {
        let log = PluginLog::new("p");
        let mut written = 0;
        for _ in 0..PLUGIN_LOG_LINES + 7 {
            log.line(|| written += 1);
        }
        assert_eq!(written, PLUGIN_LOG_LINES);
        assert_eq!(log.window.lock().unwrap().suppressed, 7);
    }

    #[test]
    fn a_new_window_admits_lines_again() {
        let log = PluginLog::new("p");
        for _ in 0..PLUGIN_LOG_LINES + 1 {
            log.line(|| {});
        }
        log.window.lock().unwrap().started -= PLUGIN_LOG_WINDOW;
        let mut written = false;
        log.line(|| written = true);
        assert!(written);
        assert_eq!(log.window.lock().unwrap().suppressed, 0);
    }
}
