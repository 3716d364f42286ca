//! Data that is plainly not a barcode, and the warning for a plugin that
//! claims it: at install and in `plugin try`.

use barcoded_sandbox::{self as sandbox, Plugin, Verdict};

/// Data no barcode format is made of. A plugin that decodes or rejects one
/// of these answers for every scan no other plugin claims.
pub const FOREIGN_DATA: [&str; 3] = ["this is not a barcode", "~~~~~~~~~~~~~~~~", "\u{7f}\u{7f}"];

/// The warnings for a plugin that decodes or rejects [`FOREIGN_DATA`]: one
/// per such answer, saying what to change.
pub(crate) fn foreign_claims(plugin: &Plugin) -> Vec<String> {
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
