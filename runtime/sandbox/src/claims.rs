//! What data a plugin may claim: the patterns a component declares through
//! the optional `barcode:plugin/claims` export, checked once at load, and
//! one matcher over every plugin's patterns that tells a scan which plugins
//! to instantiate.
//!
//! Patterns are compiled by the `regex` crate, whose matching time is
//! linear in the data whatever the pattern, and whose compiled size is
//! capped here: a hostile plugin's patterns cannot make scans slow.

use regex::{RegexBuilder, RegexSet, RegexSetBuilder};
use wasmtime::Store;
use wasmtime::component::Instance;

use crate::sandbox::SandboxState;

/// The export, as components name it.
const INTERFACE: &str = "barcode:plugin/claims@0.1.0";

/// Most patterns one plugin may declare.
pub const MAX_PATTERNS: usize = 32;
/// Longest pattern, in bytes.
pub const MAX_PATTERN_BYTES: usize = 1024;
/// Most memory one compiled pattern may take.
pub const MAX_COMPILED_BYTES: usize = 256 << 10;

/// The patterns the plugin in `instance` declares: `None` when it does not
/// export `claims` or declares an empty list (it is asked about every scan).
pub(crate) async fn declared(
    store: &mut Store<SandboxState>,
    instance: &Instance,
) -> wasmtime::Result<Option<Vec<String>>> {
    let Some(interface) = instance.get_export_index(&mut *store, None, INTERFACE) else {
        return Ok(None);
    };
    let Some(function) = instance.get_export_index(&mut *store, Some(&interface), "patterns")
    else {
        return Ok(None);
    };
    let patterns = instance
        .get_typed_func::<(), (Vec<String>,)>(&mut *store, &function)
        .map_err(|error| {
            wasmtime::format_err!("its `claims.patterns` export has the wrong type: {error:#}")
        })?;
    let (patterns,) = patterns.call_async(&mut *store, ()).await?;
    Ok(Some(patterns).filter(|patterns| !patterns.is_empty()))
}

/// Why a plugin's claim patterns are refused; the message names the
/// pattern and the rule, for the operator and the plugin's author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("it declares {0} claim patterns, over the limit of {MAX_PATTERNS}")]
    TooMany(usize),
    #[error("a claim pattern is {0} bytes, over the limit of {MAX_PATTERN_BYTES}")]
    TooLong(usize),
    #[error("its claim pattern {pattern:?} does not compile: {reason}")]
    Invalid { pattern: String, reason: String },
    #[error("its claim patterns do not compile together: {0}")]
    TooBigTogether(String),
}

/// Checks one plugin's patterns against the rules the WIT states and
/// compiles them.
pub fn compile(patterns: &[String]) -> Result<RegexSet, ClaimError> {
    if patterns.len() > MAX_PATTERNS {
        return Err(ClaimError::TooMany(patterns.len()));
    }
    for pattern in patterns {
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(ClaimError::TooLong(pattern.len()));
        }
        RegexBuilder::new(pattern)
            .size_limit(MAX_COMPILED_BYTES)
            .build()
            .map_err(|error| ClaimError::Invalid {
                pattern: pattern.clone(),
                reason: error.to_string(),
            })?;
    }
    RegexSetBuilder::new(patterns)
        .size_limit(MAX_COMPILED_BYTES.saturating_mul(patterns.len()))
        .build()
        .map_err(|error| ClaimError::TooBigTogether(error.to_string()))
}

/// Which plugins of a chain a scan asks.
pub(crate) struct Matcher {
    /// Every declared pattern of every plugin, as one set.
    set: RegexSet,
    /// The plugin (its place in the chain) each pattern of `set` is from.
    owners: Vec<usize>,
    /// Per plugin: asked about every scan, since it declares nothing.
    always: Vec<bool>,
}

impl Matcher {
    /// A matcher for plugins that declare `declared`, in chain order; with
    /// `every`, one that asks every plugin about every scan.
    pub(crate) fn new<'a>(
        declared: impl Iterator<Item = Option<&'a [String]>>,
        every: bool,
    ) -> Matcher {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        let mut always = Vec::new();
        for (plugin, claims) in declared.enumerate() {
            always.push(every || claims.is_none());
            for pattern in claims.into_iter().flatten().filter(|_| !every) {
                patterns.push(pattern.as_str());
                owners.push(plugin);
            }
        }
        let size_limit = MAX_COMPILED_BYTES.saturating_mul(patterns.len().max(1));
        let set = RegexSetBuilder::new(&patterns)
            .size_limit(size_limit)
            .build();
        match set {
            Ok(set) => Matcher {
                set,
                owners,
                always,
            },
            // Each pattern compiled alone at load; should the set not, ask
            // every plugin rather than skip one that may claim the data.
            Err(error) => {
                tracing::error!(
                    "cannot combine the plugins' claim patterns, asking every plugin: {error}"
                );
                Matcher {
                    set: RegexSet::empty(),
                    owners: Vec::new(),
                    always: vec![true; always.len()],
                }
            }
        }
    }

    /// Per plugin in chain order, whether a scan of `data` asks it.
    pub(crate) fn asked(&self, data: &str) -> Vec<bool> {
        let mut asked = self.always.clone();
        if self.owners.is_empty() {
            return asked;
        }
        for pattern in self.set.matches(data).iter() {
            asked[self.owners[pattern]] = true;
        }
        asked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(patterns: &[&str]) -> Vec<String> {
        patterns.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn only_plugins_with_a_matching_pattern_and_those_declaring_nothing_are_asked() {
        let gtin = owned(&["^[0-9]{8}$", "^[0-9]{12,14}$"]);
        let gs1 = owned(&["^\\]C1", "^\\x1D"]);
        let declared = [Some(gtin.as_slice()), None, Some(gs1.as_slice())];
        let matcher = Matcher::new(declared.iter().copied(), false);
        assert_eq!(matcher.asked("4006381333931"), [true, true, false]);
        assert_eq!(matcher.asked("]C10104006381333931"), [false, true, true]);
        assert_eq!(matcher.asked("\u{1d}0104006381333931"), [false, true, true]);
        assert_eq!(matcher.asked("HELLO-x"), [false, true, false]);
        let every = Matcher::new(declared.iter().copied(), true);
        assert_eq!(every.asked("HELLO-x"), [true, true, true]);
    }

    #[test]
    fn patterns_that_break_a_rule_are_refused_naming_it() {
        assert!(compile(&owned(&["^A", "B$"])).unwrap().is_match("xB"));
        let many = vec!["a".to_string(); MAX_PATTERNS + 1];
        assert_eq!(compile(&many).unwrap_err(), ClaimError::TooMany(33));
        assert!(
            compile(&many)
                .unwrap_err()
                .to_string()
                .contains("33 claim patterns")
        );
        let long = vec!["a".repeat(MAX_PATTERN_BYTES + 1)];
        assert_eq!(compile(&long).unwrap_err(), ClaimError::TooLong(1025));
        assert!(matches!(
            compile(&owned(&["(unclosed"])),
            Err(ClaimError::Invalid { pattern, .. }) if pattern == "(unclosed"
        ));
        // Small to write, huge to compile: refused by the size cap.
        let huge = compile(&owned(&["\\w{1000}\\w{1000}"])).unwrap_err();
        assert!(huge.to_string().contains("does not compile"), "{huge}");
    }
}
