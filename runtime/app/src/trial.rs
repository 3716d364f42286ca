//! Running a component that is not installed, in the sandbox and limits an
//! installed one gets: `barcoded plugin try`, and the check at install that
//! a plugin does not claim data that is plainly not its own.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use barcoded_domain::Capability;
use barcoded_sandbox::{self as sandbox, Plugin, Settings, Verdict};

use crate::registry::{InstallError, Registry};

/// Data no barcode format is made of. A plugin that decodes or rejects one
/// of these answers for every scan no other plugin claims.
pub const FOREIGN_DATA: [&str; 3] = ["this is not a barcode", "~~~~~~~~~~~~~~~~", "\u{7f}\u{7f}"];

impl Registry {
    /// Compiles and validates `bytes` as [`Registry::install`] does, with
    /// the default limits and these settings, without installing them. It
    /// goes by the name its `info` gives, as it would once installed.
    pub fn trial(
        &self,
        bytes: &[u8],
        config: BTreeMap<String, String>,
        grants: BTreeSet<Capability>,
    ) -> Result<Plugin, InstallError> {
        let component = sandbox::compile(self.engine(), bytes)
            .map_err(|e| InstallError::Refused(format!("plugin refused: {e}")))?;
        let settings = Settings {
            limits: self.limits().clone(),
            config: Arc::new(config),
            grants: Arc::new(grants),
            ..Settings::default()
        };
        let load = |name: &str| {
            Plugin::new(self.linker(), name, &component, settings.clone())
                .map_err(|e| InstallError::Refused(e.to_string()))
        };
        // Its name is known once it has answered `info`.
        let named = load("plugin")?.info().name.clone();
        if named.is_empty() {
            load("plugin")
        } else {
            load(&named)
        }
    }
}

/// The warnings for a plugin that decodes or rejects [`FOREIGN_DATA`]: one
/// per such answer, saying what to change.
pub fn foreign_claims(plugin: &Plugin) -> Vec<String> {
    let mut warnings = Vec::new();
    for data in FOREIGN_DATA {
        let (verdict, _) = sandbox::block_on(plugin.scan(data, None));
        let claim = match verdict {
            Ok(Verdict::Decoded(decode)) => format!("decodes it as {}", decode.format),
            Ok(Verdict::Rejected(rejection)) => {
                format!("rejects it as invalid {}", rejection.format)
            }
            Ok(Verdict::NotMine) | Err(_) => continue,
        };
        warnings.push(format!(
            "it claims {data:?}, which is plainly not its own: it {claim}. Every scan that no \
             other plugin decodes would get this answer instead of \"no match\"; answer \
             not-mine (Rust `Ok(None)`, Python `None`, JavaScript `null`) for data that is not \
             your format"
        ));
    }
    warnings
}
