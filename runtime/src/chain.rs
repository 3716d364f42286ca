//! The ordered set of plugins a barcode is handed to.
//!
//! Plugins are asked in priority order (lower first, then by name). The first
//! `Decoded` wins. A `Rejected` does not stop the chain: later plugins may
//! still recognise the data, and the first rejection is the answer only when
//! none does. A plugin that fails (traps, runs past a limit) is logged and
//! skipped; its failure is reported in the answer's diagnostics.

use std::path::{Path, PathBuf};

use wasmtime::Engine;

use crate::limits::{LimitOverrides, Limits};
use crate::plugin::{self, Decode, Failure, LoadError, Plugin, Rejection, Verdict};

/// Priority of a plugin file whose name carries none.
pub const DEFAULT_PRIORITY: i32 = 100;

/// Plugins in the order they are asked.
pub struct Chain {
    plugins: Vec<Plugin>,
}

/// What the chain made of one barcode.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanOutcome {
    Decoded {
        plugin: String,
        decode: Decode,
        failures: Vec<PluginFailure>,
    },
    Rejected {
        plugin: String,
        rejection: Rejection,
        failures: Vec<PluginFailure>,
    },
    NoMatch {
        failures: Vec<PluginFailure>,
    },
}

/// A plugin that failed while scanning; the chain went on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFailure {
    pub plugin: String,
    pub failure: Failure,
    /// Its failed scans in a row, this one included.
    pub in_a_row: u32,
}

/// A plugin folder, loaded: the chain of valid plugins, and the files refused.
pub struct Loaded {
    pub chain: Chain,
    pub refused: Vec<LoadError>,
}

impl ScanOutcome {
    /// The plugins that failed on the way to this outcome.
    pub fn failures(&self) -> &[PluginFailure] {
        match self {
            ScanOutcome::Decoded { failures, .. }
            | ScanOutcome::Rejected { failures, .. }
            | ScanOutcome::NoMatch { failures } => failures,
        }
    }
}

impl Chain {
    /// Loads every `*.wasm` file in `dir`. A file named `<priority>-<name>.wasm`
    /// (such as `10-gtin.wasm`) gets that priority; `<name>.wasm` gets
    /// [`DEFAULT_PRIORITY`]. `<file stem>.limits.json` beside a file overrides
    /// `limits` for that plugin. A missing folder is an empty chain.
    ///
    /// A file that is not a valid plugin is refused and left out, never asked
    /// to scan; the caller reports it. Only a folder that cannot be read at
    /// all is an error.
    pub fn load_dir(engine: &Engine, dir: &Path, limits: &Limits) -> Result<Loaded, LoadError> {
        let linker = plugin::new_linker(engine).map_err(|e| LoadError {
            plugin: "*".into(),
            reason: format!("cannot set up the WASI linker: {e:#}"),
        })?;
        let mut plugins = Vec::new();
        let mut refused = Vec::new();
        for path in wasm_files(dir)? {
            let loaded = parse_file_name(&path).and_then(|(priority, name)| {
                let limits = limits.with(&overrides_for(&path, &name)?);
                let bytes = std::fs::read(&path).map_err(|e| LoadError {
                    plugin: name.clone(),
                    reason: format!("cannot read {}: {e}", path.display()),
                })?;
                Plugin::load(engine, &linker, &name, priority, &bytes, limits)
            });
            match loaded {
                Ok(plugin) => plugins.push(plugin),
                Err(error) => refused.push(error),
            }
        }
        Ok(Loaded {
            chain: Chain::new(plugins),
            refused,
        })
    }

    /// A chain of `plugins`, ordered by priority and then name.
    pub fn new(mut plugins: Vec<Plugin>) -> Chain {
        plugins.sort_by(|a, b| (a.priority(), a.name()).cmp(&(b.priority(), b.name())));
        Chain { plugins }
    }

    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// Hands `data` to each plugin in turn, leaving out those `skip` names;
    /// see the module docs for the rules.
    pub fn scan(&self, data: &str, skip: impl Fn(&str) -> bool) -> ScanOutcome {
        let mut rejected: Option<(String, Rejection)> = None;
        let mut failures = Vec::new();
        for plugin in self.plugins.iter().filter(|plugin| !skip(plugin.name())) {
            match plugin.scan(data) {
                Ok(Verdict::NotMine) => {}
                Ok(Verdict::Decoded(decode)) => {
                    return ScanOutcome::Decoded {
                        plugin: plugin.name().to_owned(),
                        decode,
                        failures,
                    };
                }
                Ok(Verdict::Rejected(rejection)) => {
                    rejected.get_or_insert_with(|| (plugin.name().to_owned(), rejection));
                }
                Err(failure) => {
                    tracing::warn!(plugin = plugin.name(), "scan failed: plugin {failure}");
                    failures.push(PluginFailure {
                        plugin: plugin.name().to_owned(),
                        failure,
                        in_a_row: plugin.failures_in_a_row(),
                    });
                }
            }
        }
        match rejected {
            Some((plugin, rejection)) => ScanOutcome::Rejected {
                plugin,
                rejection,
                failures,
            },
            None => ScanOutcome::NoMatch { failures },
        }
    }
}

fn wasm_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(LoadError {
                plugin: "*".into(),
                reason: format!("cannot read the plugin folder {}: {e}", dir.display()),
            });
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

/// The overrides in `<file stem>.limits.json`, or none when it is absent.
fn overrides_for(path: &Path, name: &str) -> Result<LimitOverrides, LoadError> {
    let file = path.with_extension("limits.json");
    let refuse = |reason: String| LoadError {
        plugin: name.to_owned(),
        reason,
    };
    match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| refuse(format!("bad limits file {}: {e}", file.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LimitOverrides::default()),
        Err(e) => Err(refuse(format!("cannot read {}: {e}", file.display()))),
    }
}

/// Splits `10-gtin.wasm` into (10, "gtin") and `gtin.wasm` into (100, "gtin").
fn parse_file_name(path: &Path) -> Result<(i32, String), LoadError> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let (priority, name) = match stem.split_once('-') {
        Some((digits, name)) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            (digits.parse().unwrap_or(i32::MAX), name)
        }
        _ => (DEFAULT_PRIORITY, stem),
    };
    validate_name(name).map_err(|reason| LoadError {
        plugin: stem.to_owned(),
        reason: format!("bad file name {}: {reason}", path.display()),
    })?;
    Ok((priority, name.to_owned()))
}

/// Plugin names appear in logs, answers and file names: keep them plain.
pub fn validate_name(name: &str) -> Result<(), String> {
    let plain = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
    if name.is_empty() || name.len() > 64 || !name.bytes().all(plain) {
        return Err(format!(
            "plugin names are 1 to 64 lowercase letters, digits, `-` or `_`, not {name:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_priority_and_name() {
        let parse = |name: &str| parse_file_name(Path::new(name)).map_err(|e| e.reason);
        assert_eq!(parse("10-gtin.wasm"), Ok((10, "gtin".into())));
        assert_eq!(parse("gtin.wasm"), Ok((DEFAULT_PRIORITY, "gtin".into())));
        assert_eq!(
            parse("my-plugin.wasm"),
            Ok((DEFAULT_PRIORITY, "my-plugin".into()))
        );
        assert_eq!(parse("5-my-plugin.wasm"), Ok((5, "my-plugin".into())));
        assert!(parse("Bad Name.wasm").is_err());
        assert!(parse("10-.wasm").is_err());
    }
}
